// Page frames (page_frame.hpp): the inspector's words for each drawn value, the backward pass
// for the stepper and the names for the picker, composed with the description of the picture.
#include "mgrad/commands/page_frame.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mgrad/engine/chain_rule.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/render/render.hpp"
#include "mgrad/support/error.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/support/options.hpp"

namespace mgrad {

namespace {

const char* kind_of(const Graph& g, NodeId id, NodeId root) {
    if (id == root) return "root";
    switch (g.node(id).op) {
        case Op::Leaf: return "leaf";
        case Op::Const: return "constant";
        default: return "computed";
    }
}

std::string fixed(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

/// A step as `:trace` prints it: `a.grad += b.data * e.grad = -3 * -2 = 6`, the value left out
/// when the numbers already are it (`c.grad += e.grad = -2`).
std::string step_line(const Session& session, const ChainStep& step) {
    std::string line = fmt::format("{}.grad += {} = {}", session.node_name(step.parent),
                                   step.formula, step.numbers);
    if (step.numbers != format_number(step.value)) line += " = " + format_number(step.value);
    return line;
}

/// {"ID": {name, kind, formula, data, grad, inputs: [{id, name, local, local_value, step}],
/// users: [ID…]}} for each node in `values`, as the session has them now.
nlohmann::json describe_nodes(Session& session, NodeId root, std::span<const NodeId> values) {
    Graph& g = session.graph();
    g.forward();
    // :trace's names for the chain rule; :vars's for formulas (constants by value).
    const NodeNamer name = [&](NodeId p) { return session.node_name(p); };
    const NodeNamer formula_name = [&](NodeId p) {
        if (g.op(p) == Op::Const && g.label(p).empty()) return format_number(g.data(p));
        return session.node_name(p);
    };
    nlohmann::json nodes = nlohmann::json::object();
    std::vector<std::pair<NodeId, NodeId>> uses;  // {input, user} among the drawn values
    for (NodeId id : values) {
        const Node& n = g.node(id);
        nlohmann::json inputs = nlohmann::json::array();
        for (const ChainStep& step : chain_steps(g, id, name)) {
            inputs.push_back({{"id", step.parent},
                              {"name", session.node_name(step.parent)},
                              {"local", step.local},
                              {"local_value", step.local_numbers},
                              {"step", step_line(session, step)}});
            uses.emplace_back(step.parent, id);
        }
        nodes[std::to_string(id)] = {
            {"name", session.node_name(id)},         {"kind", kind_of(g, id, root)},
            {"op", std::string(op_info(n.op).name)}, {"formula", formula(g, id, formula_name)},
            {"data", format_number(n.data)},         {"grad", format_number(n.grad)},
            {"inputs", std::move(inputs)},           {"users", nlohmann::json::array()}};
    }
    for (const auto& [input, user] : uses) {
        auto it = nodes.find(std::to_string(input));
        if (it == nodes.end()) continue;
        auto& users = (*it)["users"];
        if (std::find(users.begin(), users.end(), user) == users.end()) users.push_back(user);
    }
    return nodes;
}

/// The backward pass from `root` as `:trace` walks it, without changing the session.
nlohmann::json backward_steps(Session& session, NodeId root, int decimals) {
    Graph& g = session.graph();
    g.forward();
    // Everything root depends on, and how many steps the pass makes.
    std::vector<bool> wanted(static_cast<std::size_t>(root) + 1, false);
    wanted[root] = true;
    std::size_t count = 0;
    std::vector<NodeId> order;  // the pass's order: root first
    for (NodeId id = root + 1; id-- > 0;) {
        if (!wanted[id]) continue;
        order.push_back(id);
        for (NodeId p : g.parents(id)) {
            wanted[p] = true;
            ++count;
        }
    }
    if (count > page_max_steps)
        return {{"note", fmt::format("the backward pass of {} has {} steps; the stepper walks at "
                                     "most {} (`:trace {}` lists them all)",
                                     session.node_name(root), count, page_max_steps,
                                     session.node_name(root))}};
    // The pass on the session's own gradients, as :trace runs it, then every gradient put back:
    // the page shows the pass without changing what the terminal sees.
    std::vector<double> kept;
    kept.reserve(order.size());
    for (NodeId id : order)
        kept.push_back(g.grad(id));
    struct Restore {
        Graph& g;
        const std::vector<NodeId>& order;
        const std::vector<double>& kept;
        ~Restore() {
            for (std::size_t i = 0; i < order.size(); ++i)
                g.set_grad(order[i], kept[i]);
        }
    } restore{g, order, kept};
    for (NodeId id : order)
        g.set_grad(id, 0.0);
    g.set_grad(root, 1.0);
    const NodeNamer name = [&](NodeId p) { return session.node_name(p); };
    nlohmann::json steps = nlohmann::json::array();
    for (NodeId id : order) {
        for (const ChainStep& step : chain_steps(g, id, name)) {
            const double before = g.grad(step.parent);
            g.set_grad(step.parent, before + step.value);
            std::string line = step_line(session, step);
            if (before != 0.0)
                line += fmt::format("  (now {})", format_number(g.grad(step.parent)));
            steps.push_back({{"from", id},
                             {"to", step.parent},
                             {"line", std::move(line)},
                             {"grad", fixed(g.grad(step.parent), decimals)}});
        }
    }
    return {{"start", fmt::format("{}.grad = 1", session.node_name(root))},
            {"steps", std::move(steps)},
            {"zero", fixed(0.0, decimals)},
            {"one", fixed(1.0, decimals)}};
}

/// The newest bound names, newest first.
nlohmann::json listed_names(const Session& session) {
    nlohmann::json names = nlohmann::json::array();
    const auto& all = session.names();
    for (auto it = all.rbegin(); it != all.rend() && names.size() < page_max_listed_names; ++it)
        names.push_back(*it);
    return names;
}

nlohmann::json option_fields(const DrawOptions& o) {
    return {{"depth", o.depth ? nlohmann::json(*o.depth) : nlohmann::json(nullptr)},
            {"max_nodes", o.max_nodes},
            {"hide_constants", o.hide_constants},
            {"cluster_modules", o.cluster_modules},
            {"collapse_modules", o.collapse_modules},
            {"shade", o.shade_gradients},
            {"tb", o.rankdir == RankDir::TopBottom},
            {"decimals", o.decimals}};
}

/// The draw options' specs (kind, range, help) for the page's controls: what `:help draw` and
/// the checks use, so the page's limits are the command's.
nlohmann::json option_specs() {
    nlohmann::json out = nlohmann::json::array();
    for (const OptionSpec& o : draw_option_parser().specs()) {
        if (o.help.empty()) continue;
        nlohmann::json j{{"key", o.key}, {"kind", value_kind_name(o.kind)}, {"help", o.help}};
        if (o.takes_value()) j["value_name"] = o.value_name;
        if (o.kind == ValueKind::Whole) {
            j["low"] = o.low;
            j["high"] = o.high;
        }
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

PageFrames::PageFrames(Session& session, std::string empty_hint)
    : m_session(session), m_empty_hint(std::move(empty_hint)) {}

void PageFrames::show(const std::optional<std::string>& name,
                      const std::vector<std::string>& option_words) {
    if (name) (void)m_session.require(*name);
    DrawOptions options = m_options;
    if (!option_words.empty()) {
        options = parse_draw_options(option_words);
        if (options.format) throw Error("the page draws SVG: format= is for :draw");
    }
    m_pinned = name;
    m_options = options;
}

void PageFrames::set_options(const std::vector<std::string>& option_words) {
    std::vector<std::string> words = option_words;
    if (words.empty()) words.emplace_back("lr");  // all defaults
    DrawOptions options = parse_draw_options(words);
    if (options.format) throw Error("the page draws SVG: format= is for :draw");
    m_options = options;
}

std::optional<NodeId> PageFrames::shown() {
    if (m_pinned) return m_session.lookup(*m_pinned);
    const auto& names = m_session.names();
    const std::array<std::size_t, 3> key{m_session.graph().epoch(), m_session.graph().size(),
                                         names.size()};
    if (key != m_latest_key) {  // one pass over the names only when there are new ones
        m_latest_key = key;
        m_latest.reset();
        for (const auto& name : names) {
            const NodeId id = *m_session.lookup(name);
            if (!m_latest || id > *m_latest) m_latest = id;
        }
    }
    return m_latest;
}

PageFrame PageFrames::compose() {
    PageFrame frame;
    nlohmann::json fields;
    fields["follow"] = !m_pinned.has_value();
    if (m_pinned) fields["pinned"] = *m_pinned;
    fields["names"] = listed_names(m_session);
    fields["options"] = option_fields(m_options);
    fields["option_specs"] = option_specs();
    const std::optional<NodeId> root = shown();
    if (!root) {
        fields["message"] = {
            {"kind", "empty"},
            {"text",
             m_pinned ? fmt::format("'{}' is not bound any more", *m_pinned) : m_empty_hint}};
    } else {
        fields["root"] = *root;
        fields["name"] = m_session.node_name(*root);
        try {
            frame.drawing = describe(m_session.graph(), *root, m_options);
        } catch (const Error& e) {
            fields["message"] = {{"kind", "too_big"}, {"text", e.what()}};
            // What would fit, as option words the page offers as buttons.
            if (const ErrorDetail* d = e.detail()) fields["message"]["fixes"] = d->fixes;
        }
        if (frame.drawing) {
            fields["nodes"] = describe_nodes(m_session, *root, frame.drawing->values());
            fields["backward"] = backward_steps(m_session, *root, m_options.decimals);
        }
    }
    // Labels are the user's bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
    frame.json = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return frame;
}

}  // namespace mgrad
