// The public drawing functions: choose the format, build the scene, write the file safely.
#include <string>

#include <fmt/format.h>

#include "mgrad/render/layout.hpp"
#include "mgrad/render/render.hpp"
#include "mgrad/support/atomic_file.hpp"
#include "mgrad/support/error.hpp"
#include "scene.hpp"

namespace mgrad {
namespace {

using render_detail::build_scene;

/// Lays the scene out with the layout engine in use (layout.hpp).
std::string lay_out(const render_detail::Scene& scene, Format format, const DrawControl& control) {
    return layout_engine()->render(render_detail::write_dot(scene), format,
                                   LayoutSize{scene.nodes.size(), scene.layout_size}, control);
}

}  // namespace

std::string to_dot(Graph& graph, NodeId root, const DrawOptions& options) {
    return render_detail::write_dot(build_scene(graph, root, options));
}

std::string render(Graph& graph, NodeId root, Format format, const DrawOptions& options,
                   const DrawControl& control) {
    switch (format) {
        case Format::Json: return to_json(graph, root, options);
        case Format::Dot: return to_dot(graph, root, options);
        case Format::Svg:
        case Format::Png:
        case Format::Pdf: return lay_out(build_scene(graph, root, options), format, control);
    }
    throw Error("unknown output format");
}

struct Drawing::Impl {
    render_detail::Scene scene;
};

Drawing::Drawing(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Drawing::Drawing(const Drawing& other) : m_impl(std::make_unique<Impl>(*other.m_impl)) {}
Drawing& Drawing::operator=(const Drawing& other) {
    if (this != &other) m_impl = std::make_unique<Impl>(*other.m_impl);
    return *this;
}
Drawing::Drawing(Drawing&&) noexcept = default;
Drawing& Drawing::operator=(Drawing&&) noexcept = default;
Drawing::~Drawing() = default;

std::span<const NodeId> Drawing::values() const noexcept { return m_impl->scene.values; }

bool Drawing::operator==(const Drawing& other) const {
    return m_impl->scene == other.m_impl->scene;
}

Drawing describe(Graph& graph, NodeId root, const DrawOptions& options) {
    return Drawing(
        std::make_unique<Drawing::Impl>(Drawing::Impl{build_scene(graph, root, options)}));
}

std::string render(const Drawing& drawing, Format format, const DrawControl& control) {
    switch (format) {
        case Format::Json: throw Error("a described drawing cannot be written as JSON");
        case Format::Dot: return render_detail::write_dot(drawing.m_impl->scene);
        case Format::Svg:
        case Format::Png:
        case Format::Pdf: return lay_out(drawing.m_impl->scene, format, control);
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
    if (*format == Format::Json) {  // written as it is made: it can be hundreds of megabytes
        write_file_atomically(file, [&](const std::function<void(std::string_view)>& sink) {
            write_json(graph, root, options, sink);
        });
        return;
    }
    std::string bytes = render(graph, root, *format, options, control);  // before the disk
    write_file_atomically(file, bytes);
}

}  // namespace mgrad
