// The public drawing functions: choose the format, build the scene, write the file safely.
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mgrad/render/render.hpp"
#include "mgrad/support/atomic_file.hpp"
#include "mgrad/support/error.hpp"
#include "scene.hpp"

namespace mgrad {
namespace {

using render_detail::build_scene;

nlohmann::json json_number(double value) {
    // JSON has no NaN or infinity: spell them as strings rather than lose them to null.
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    return value;
}

const char* kind_name(const Graph& graph, NodeId id, NodeId root) {
    if (id == root) return "root";
    switch (graph.nodes()[id].op) {
        case Op::Leaf: return "leaf";
        case Op::Const: return "constant";
        default: return "interior";
    }
}

}  // namespace

std::string to_dot(Graph& graph, NodeId root, const DrawOptions& options) {
    return render_detail::graphviz_dot(build_scene(graph, root, options));
}

std::string to_json(Graph& graph, NodeId root, const DrawOptions& options) {
    graph.check_id(root);
    graph.forward();
    render_detail::Selection sel = render_detail::select_nodes(graph, root, options);
    auto nodes = graph.nodes();
    nlohmann::json out;
    out["root"] = root;
    nlohmann::json& jnodes = out["nodes"] = nlohmann::json::array();
    nlohmann::json& jedges = out["edges"] = nlohmann::json::array();
    for (std::size_t i = 0; i < sel.ids.size(); ++i) {
        NodeId id = sel.ids[i];
        const Node& n = nodes[id];
        const OpInfo& info = op_info(n.op);
        nlohmann::json node{{"id", id},
                            {"label", std::string(graph.label(id))},
                            {"op", std::string(info.name)},
                            {"symbol", std::string(info.symbol)},
                            {"kind", kind_name(graph, id, root)},
                            {"data", json_number(n.data)},
                            {"grad", json_number(n.grad)},
                            {"depth", sel.dist[id]}};
        if (n.op == Op::PowConst) node["exponent"] = json_number(graph.exponent(id));
        if (sel.truncated[i]) node["truncated"] = true;
        jnodes.push_back(std::move(node));
        std::size_t operand = 0;
        for (NodeId p : graph.parents(id)) {
            if (sel.dist[p] != render_detail::unseen)
                jedges.push_back({{"from", p}, {"to", id}, {"operand", operand}});
            ++operand;
        }
    }
    // Labels are bytes; invalid UTF-8 becomes U+FFFD rather than an exception.
    return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render(Graph& graph, NodeId root, Format format, const DrawOptions& options,
                   const DrawControl& control) {
    switch (format) {
        case Format::Json: return to_json(graph, root, options);
        case Format::Dot: return to_dot(graph, root, options);
        case Format::Svg:
        case Format::Png:
        case Format::Pdf:
            return render_detail::graphviz_render(build_scene(graph, root, options),
                                                  format_name(format), control);
    }
    throw Error("unknown output format");
}

void draw(Graph& graph, NodeId root, const std::filesystem::path& file, const DrawOptions& options,
          const DrawControl& control) {
    std::optional<Format> format = options.format ? options.format : format_from_extension(file);
    if (!format)
        throw Error(fmt::format(
            "cannot tell the format of '{}' from its extension; use .svg, .png, .pdf, .dot or "
            ".json, or add format=svg|png|pdf|dot|json",
            file.string()));
    if (file.filename().empty())
        throw Error(fmt::format("cannot write '{}': not a file name", file.string()));
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw Error(fmt::format("cannot write '{}': it is a directory", file.string()));
    std::string bytes = render(graph, root, *format, options, control);  // before the disk
    write_file_atomically(file, bytes);
}

}  // namespace mgrad
