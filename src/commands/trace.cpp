// :trace NAME [DIR]: the backward pass one chain-rule step a line (and a picture a step).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <filesystem>
#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/language/number.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/render/render.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

/// One chain-rule update of a backward pass: `to.grad += formula = numbers = value`.
struct Update {
    NodeId to;
    std::string formula, numbers;
    double value;
};

/// The updates node `id` sends to its parents, computed as Graph::backward computes them.
std::vector<Update> updates_of(Session& session, NodeId id) {
    Graph& g = session.graph();
    const Node& n = g.node(id);
    const std::string N = session.node_name(id);
    const std::string A = n.a != no_node ? session.node_name(n.a) : "";
    const bool binary = op_info(n.op).arity == 2;
    const std::string B = binary ? session.node_name(n.b) : "";
    const double gr = n.grad;
    const double y = n.data;
    const double xa = n.a != no_node ? g.node(n.a).data : 0.0;
    const double xb = binary ? g.node(n.b).data : 0.0;
    const std::string G = format_number(gr);
    auto num = [](double v) { return format_number(v); };
    auto base = [](double v) {  // a negative base needs parentheses before **
        const std::string s = format_number(v);
        return v < 0 ? "(" + s + ")" : s;
    };
    std::vector<Update> u;
    switch (n.op) {
        case Op::Leaf:
        case Op::Const: break;
        case Op::Add:
            u.push_back({n.a, N + ".grad", G, gr});
            u.push_back({n.b, N + ".grad", G, gr});
            break;
        case Op::Sub:
            u.push_back({n.a, N + ".grad", G, gr});
            u.push_back({n.b, "-" + N + ".grad", "-" + num(gr), -gr});
            break;
        case Op::Mul:
            u.push_back({n.a, B + ".data * " + N + ".grad", num(xb) + " * " + num(gr), gr * xb});
            u.push_back({n.b, A + ".data * " + N + ".grad", num(xa) + " * " + num(gr), gr * xa});
            break;
        case Op::Div:
            u.push_back({n.a, N + ".grad / " + B + ".data", num(gr) + " / " + num(xb), gr / xb});
            u.push_back({n.b, "-" + N + ".grad * (" + N + ".data / " + B + ".data)",
                         "-" + num(gr) + " * (" + num(y) + " / " + num(xb) + ")", -gr * (y / xb)});
            break;
        case Op::Neg: u.push_back({n.a, "-" + N + ".grad", "-" + num(gr), -gr}); break;
        case Op::PowConst: {
            const double k = g.exponent(id);
            const std::string K = format_number(k), K1 = format_number(k - 1.0);
            u.push_back({n.a, fmt::format("{} * {}.data**{} * {}.grad", K, A, K1, N),
                         fmt::format("{} * {}**{} * {}", num(k), base(xa), num(k - 1.0), num(gr)),
                         k == 0.0 ? 0.0 : gr * (k * detail::pow_const(xa, k - 1.0))});
            break;
        }
        case Op::Pow:
            u.push_back({n.a,
                         fmt::format("{0}.data * {1}.data**({0}.data - 1) * {2}.grad", B, A, N),
                         fmt::format("{} * {}**({} - 1) * {}", num(xb), base(xa), num(xb), num(gr)),
                         xb == 0.0 ? 0.0 : gr * (xb * std::pow(xa, xb - 1.0))});
            u.push_back({n.b, fmt::format("{}.data * log({}.data) * {}.grad", N, A, N),
                         fmt::format("{} * log({}) * {}", num(y), num(xa), num(gr)),
                         (xa == 0.0 && xb >= 0.0) ? 0.0 : gr * (y * std::log(xa))});
            break;
        case Op::Tanh:
            u.push_back({n.a, fmt::format("(1 - {}.data**2) * {}.grad", N, N),
                         fmt::format("(1 - {}**2) * {}", base(y), num(gr)), gr * (1.0 - y * y)});
            break;
        case Op::Exp:
            u.push_back({n.a, fmt::format("{}.data * {}.grad", N, N),
                         fmt::format("{} * {}", num(y), num(gr)), gr * y});
            break;
        case Op::Log:
            u.push_back({n.a, fmt::format("{}.grad / {}.data", N, A),
                         fmt::format("{} / {}", num(gr), num(xa)), gr / xa});
            break;
        case Op::Relu:
            u.push_back({n.a, fmt::format("({}.data > 0) * {}.grad", N, N),
                         fmt::format("{} * {}", y > 0.0 ? 1 : 0, num(gr)), y > 0.0 ? gr : 0.0});
            break;
        case Op::Sigmoid:
            u.push_back({n.a, fmt::format("{0}.grad * (1 - {1}.data) * {1}.data", N, N),
                         fmt::format("{} * (1 - {}) * {}", num(gr), num(y), num(y)),
                         gr * (1.0 - y) * y});
            break;
        case Op::Sqrt:
            u.push_back({n.a, fmt::format("{}.grad / (2 * {}.data)", N, N),
                         fmt::format("{} / (2 * {})", num(gr), num(y)), gr / (2.0 * y)});
            break;
        case Op::Abs:
            u.push_back({n.a, fmt::format("sign({}.data) * {}.grad", A, N),
                         fmt::format("{} * {}",
                                     xa > 0.0   ? 1
                                     : xa < 0.0 ? -1
                                                : 0,
                                     num(gr)),
                         xa > 0.0   ? gr
                         : xa < 0.0 ? -gr
                                    : 0.0 * gr});
            break;
        case Op::Sin:
            u.push_back({n.a, fmt::format("cos({}.data) * {}.grad", A, N),
                         fmt::format("cos({}) * {}", num(xa), num(gr)), gr * std::cos(xa)});
            break;
        case Op::Cos:
            u.push_back({n.a, fmt::format("-sin({}.data) * {}.grad", A, N),
                         fmt::format("-sin({}) * {}", num(xa), num(gr)), gr * -std::sin(xa)});
            break;
        case Op::Step:
        case Op::Sign:
            u.push_back({n.a, fmt::format("0 * {}.grad", N), fmt::format("0 * {}", num(gr)), 0.0});
            break;
        case Op::MulAdd: {  // a*b + c: the Mul's two updates and the Add's
            const std::string MB = session.node_name(n.b);
            const double mb = g.node(n.b).data;
            u.push_back({n.a, MB + ".data * " + N + ".grad", num(mb) + " * " + num(gr), gr * mb});
            u.push_back({n.b, A + ".data * " + N + ".grad", num(xa) + " * " + num(gr), gr * xa});
            u.push_back({n.c, N + ".grad", G, gr});
            break;
        }
    }
    return u;
}

constexpr std::size_t max_trace_frames = 400;

void cmd_trace(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 1, 2, ":trace NAME [DIR]");
    const NodeId root = node_arg(session, args[0]);
    Graph& g = session.graph();
    g.forward();
    const std::vector<bool> wanted = ancestors(g, root);
    std::size_t total = 0;
    for (NodeId id = 0; id <= root; ++id)
        if (wanted[id]) total += g.parents(id).size();
    std::filesystem::path dir;
    if (args.size() == 2) {
        if (total + 1 > max_trace_frames)
            throw Error(
                fmt::format("the backward pass of '{}' has {} updates; :trace draws at most "
                            "{} frames (use :trace {} without DIR to list them)",
                            args[0].text, total, max_trace_frames - 1, args[0].text),
                args[1].span);
        dir = args[1].text;
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec || !std::filesystem::is_directory(dir))
            throw Error(fmt::format("cannot make the directory '{}': {}", args[1].text,
                                    ec ? ec.message() : "a file has that name"),
                        args[1].span);
    }
    // The pass itself, on the session's graph, so the frames show the gradients so far.
    g.zero_grad();
    g.set_grad(root, 1.0);
    std::size_t frame = 0;
    const std::string name = session.node_name(root);
    auto draw_frame = [&](NodeId current) {
        if (dir.empty()) return;
        DrawOptions options;
        options.highlight = current;
        options.highlight_legend = current == root ? "where the pass starts" : "grad just updated";
        draw(g, root, dir / fmt::format("{}-{:03}.svg", name, frame), options);
        ++frame;
    };
    std::string text = fmt::format("{}.grad = 1\n", name);
    draw_frame(root);
    for (NodeId id = root + 1; id-- > 0;) {
        if (!wanted[id]) continue;
        for (const Update& u : updates_of(session, id)) {
            const double before = g.grad(u.to);
            g.set_grad(u.to, before + u.value);
            const std::string to = session.node_name(u.to);
            std::string line = fmt::format("{}.grad += {} = {}", to, u.formula, u.numbers);
            if (u.numbers != format_number(u.value)) line += " = " + format_number(u.value);
            if (before != 0.0) line += fmt::format("  (now {})", format_number(g.grad(u.to)));
            text += line + "\n";
            draw_frame(u.to);
        }
    }
    // The real backward pass, so the session ends exactly as after :backward NAME.
    session.backward(root);
    if (!dir.empty())
        text += fmt::format("wrote {} frames to {}/{}-000.svg … {}-{:03}.svg\n", frame,
                            args[1].text, name, name, frame - 1);
    out.text(text);
}

}  // namespace

void add_trace_command(Session& session) {
    session.add_command(
        {"trace", ":trace NAME [DIR]", "the backward pass, one chain-rule step a line",
         "Runs :backward NAME and prints every gradient update in the order backpropagation\n"
         "makes it, with the local derivative written out:\n"
         "  a.grad += b.data * e.grad = -3 * -2 = 6\n"
         "'(now X)' follows when a node's gradient accumulates from several uses. With DIR,\n"
         "also one SVG per update (DIR/NAME-000.svg, -001 …) with the updated node highlighted,\n"
         "showing the gradients so far; at most 399 updates.\n",
         cmd_trace, true});
}

}  // namespace mgrad
