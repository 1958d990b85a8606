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
#include "mgrad/support/number.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/engine/chain_rule.hpp"
#include "mgrad/render/render.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

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
    // The pass itself, on the session's graph, so the frames show the gradients so far. If it
    // stops halfway (a frame cannot be written, Ctrl-C) the gradients go back as they were:
    // the session is as before the command, which is then not recorded by :save.
    GradUndo undo(g);
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
    const NodeNamer namer = [&](NodeId n) { return session.node_name(n); };
    std::string text = fmt::format("{}.grad = 1\n", name);
    std::size_t updates = 0;
    draw_frame(root);
    for (NodeId id = root + 1; id-- > 0;) {
        if (!wanted[id]) continue;
        if (session.interrupted())
            throw Error(
                fmt::format("interrupted after {} of {} updates (the gradients are as "
                            "they were before :trace)",
                            updates, total));
        for (const ChainStep& u : chain_steps(g, id, namer)) {
            const double before = g.grad(u.parent);
            g.set_grad(u.parent, before + u.value);
            const std::string to = session.node_name(u.parent);
            std::string line = fmt::format("{}.grad += {} = {}", to, u.formula, u.numbers);
            if (u.numbers != format_number(u.value)) line += " = " + format_number(u.value);
            if (before != 0.0) line += fmt::format("  (now {})", format_number(g.grad(u.parent)));
            text += line + "\n";
            ++updates;
            draw_frame(u.parent);
        }
    }
    // The real backward pass, so the session ends exactly as after :backward NAME.
    session.backward(root);
    undo.commit();
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
