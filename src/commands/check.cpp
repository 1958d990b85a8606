// Checking gradients: :check (backprop against finite differences) and the function
// grad(f, x) (a derivative as a differentiable node).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/engine/derivative.hpp"
#include "mgrad/engine/value.hpp"
#include "mgrad/language/output.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

// --- grad(f, x) -------------------------------------------------------------------------------

Operand fn_grad(Session& session, std::span<const Operand> args, SourceSpan span) {
    const auto* x = std::get_if<NodeId>(&args[1]);
    if (!x)
        throw Error("grad(f, x): x must be a node (a name such as x), not a plain number", span);
    const auto* f = std::get_if<NodeId>(&args[0]);
    if (!f) return 0.0;  // a plain number does not depend on anything
    Graph& g = session.graph();
    g.forward();
    return grad(Value::from_id(g, *f), Value::from_id(g, *x)).id();
}

// --- :check ----------------------------------------------------------------------------------

// The tolerance of torch.autograd.gradcheck: |backprop - numeric| <= atol + rtol * |numeric|.
constexpr double check_atol = 1e-5;
constexpr double check_rtol = 1e-3;
constexpr double check_h = 1e-6;

void cmd_check(Session& session, const CommandArgs& args, Output& out) {
    const NodeId root = *args.node("NAME");
    const double h = args.number("h", check_h);
    Graph& g = session.graph();
    g.forward();
    // Only the root's ancestors are read or written: the cost is that part times its leaves,
    // whatever else the session holds.
    const std::vector<NodeId> part = [&] {
        const std::span<const NodeId> found = session.ancestors(root);
        return std::vector<NodeId>(found.begin(), found.end());
    }();
    std::vector<NodeId> leaves;
    for (NodeId id : part)
        if (g.op(id) == Op::Leaf) leaves.push_back(id);
    if (leaves.empty()) {
        out.text(fmt::format("{} depends on no leaf: nothing to check\n", session.node_name(root)));
        return;
    }
    // Fresh gradients of the part, then the part's gradients put back as they were.
    std::vector<double> backprop;
    {
        std::vector<double> kept;
        kept.reserve(part.size());
        for (NodeId id : part)
            kept.push_back(g.grad(id));
        g.backward_through(root, part);
        backprop.reserve(leaves.size());
        for (NodeId leaf : leaves)
            backprop.push_back(g.grad(leaf));
        for (std::size_t k = 0; k < part.size(); ++k)
            g.set_grad(part[k], kept[k]);
    }
    std::vector<std::vector<std::string>> rows{
        {"leaf", "backprop", "numeric", "abs error", "rel error", ""}};
    std::size_t failed = 0;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        const NodeId leaf = leaves[i];
        // Two evaluations of the part per leaf: a large network can take a while.
        if (session.interrupted())
            throw Error(
                fmt::format("interrupted after {} of {} leaves", rows.size() - 1, leaves.size()));
        const double x0 = g.data(leaf);
        const double plus = g.value_with(root, part, leaf, x0 + h);
        const double minus = g.value_with(root, part, leaf, x0 - h);
        const double numeric = (plus - minus) / (2 * h);
        const double bp = backprop[i];
        const double abs_err = std::fabs(bp - numeric);
        const double rel_err = abs_err / std::max({std::fabs(bp), std::fabs(numeric), 1e-300});
        const bool ok = abs_err <= check_atol + check_rtol * std::fabs(numeric);
        if (!ok) ++failed;
        rows.push_back({session.node_name(leaf), format_number(bp), format_number(numeric),
                        short_sci(abs_err), bp == numeric ? "0" : short_sci(rel_err),
                        ok ? "ok" : "FAIL"});
    }
    std::string table = render_table(rows, "lrrrrl");
    out.table(Table{std::move(rows), "lrrrrl", std::move(table)});
    const std::string name = session.node_name(root);
    if (failed == 0) {
        out.text(fmt::format("{} gradient{} of {} match{} central differences (h = {})\n",
                             leaves.size() == 1 ? "the" : fmt::format("all {}", leaves.size()),
                             leaves.size() == 1 ? "" : "s", name, leaves.size() == 1 ? "es" : "",
                             format_number(h)));
        return;
    }
    throw Error(fmt::format(
        "{} of {} gradient{} of {} differ{} from central differences (h = {}; allowed: "
        "{} + {} * |numeric|)",
        failed, leaves.size(), leaves.size() == 1 ? "" : "s", name, failed == 1 ? "s" : "",
        format_number(h), format_number(check_atol), format_number(check_rtol)));
}

}  // namespace

void add_check_commands(Session& session) {
    session.add_function(
        {"grad", 2, "grad(f, x)",
         "∂f/∂x as a node that is itself differentiable: grad(grad(f, x), x) is f''", fn_grad});
    session.add_command(
        {"check", "", "backprop gradients against finite differences",
         "For every leaf NAME depends on: the gradient by backpropagation, the central\n"
         "difference (f(x+h) - f(x-h)) / 2h (h defaults to 1e-06), their absolute and relative\n"
         "error and ok or FAIL. A gradient passes when |backprop - numeric| <= 1e-05 + 0.001 *\n"
         "|numeric| (the tolerance of torch.autograd.gradcheck). A failure is an error, so a\n"
         "script stops there with exit status 1. Data and gradients are left as they were.\n"
         "Example:\n  x = 0.5; y = tanh(x) * x\n  :check y\n",
         cmd_check, false, false,
         CommandSpec{.args = {{.name = "NAME", .kind = ArgKind::Node, .help = "the value to check"},
                              {.name = "h",
                               .kind = ArgKind::Number,
                               .help = "the step of the central difference (default 1e-06)",
                               .optional = true,
                               .positive = true}}}});
}

}  // namespace mgrad
