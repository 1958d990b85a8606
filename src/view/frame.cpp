#include "frame.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mgrad/engine/chain_rule.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"

namespace mgrad::view::detail {

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

}  // namespace

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
    if (count > max_steps)
        return {{"note",
                 fmt::format("the backward pass of {} has {} steps; the stepper walks at "
                             "most {} (`:trace {}` lists them all)",
                             session.node_name(root), count, max_steps, session.node_name(root))}};
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

nlohmann::json listed_names(const Session& session) {
    nlohmann::json names = nlohmann::json::array();
    const auto& all = session.names();
    for (auto it = all.rbegin(); it != all.rend() && names.size() < max_listed_names; ++it)
        names.push_back(*it);
    return names;
}

}  // namespace mgrad::view::detail
