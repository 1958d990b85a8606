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
#include "mgrad/support/atomic_file.hpp"
#include "mgrad/engine/chain_rule.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/render/render.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

constexpr std::size_t max_trace_frames = 400;

void cmd_trace(Session& session, std::span<const Word> args, Output& out) {
    const NodeId root = node_arg(session, args[0]);
    Graph& g = session.graph();
    g.forward();
    const std::vector<bool> wanted = ancestors(g, root);
    std::size_t total = 0;
    for (NodeId id = 0; id <= root; ++id)
        if (wanted[id]) total += g.parents(id).size();
    std::filesystem::path dir;
    // In a front end that shows pictures, the word `frames` in place of DIR shows each frame
    // under its line instead of writing files.
    const bool inline_frames = args.size() == 2 && args[1].text == "frames" && out.shows_pictures();
    if (args.size() == 2 && total + 1 > max_trace_frames)
        throw Error(fmt::format("the backward pass of '{}' has {} updates; :trace draws at most "
                                "{} frames (use :trace {} without DIR to list them)",
                                args[0].text, total, max_trace_frames - 1, args[0].text),
                    args[1].span);
    if (args.size() == 2 && !inline_frames) {
        dir = args[1].text;
        try {
            make_directories(dir);
        } catch (const Error& e) {
            throw Error(e.what(), args[1].span);
        }
    }
    // The pass itself, on the session's graph, so the frames show the gradients so far. If it
    // stops halfway (a frame cannot be written, Ctrl-C) the gradients go back as they were:
    // the session is as before the command, which is then not recorded by :save.
    GradUndo undo(g);
    g.zero_grad();
    g.set_grad(root, 1.0);
    std::size_t frame = 0;
    std::vector<std::string> frames;  // as the user named them, for Output::wrote_file
    const std::string name = session.node_name(root);
    std::string text;
    // One line of the pass and its frame, if any. Inline, each line goes out before its picture.
    auto step = [&](const std::string& line, NodeId current) {
        if (inline_frames) {
            out.text(fmt::format("{}\n", line));
        } else {
            text += line;
            text += '\n';
        }
        if (dir.empty() && !inline_frames) return;
        DrawOptions options;
        options.highlight = current;
        options.highlight_legend = current == root ? "where the pass starts" : "grad just updated";
        if (inline_frames) {
            out.picture(Picture{"svg", render(g, root, Format::Svg, options), line});
        } else {
            const std::filesystem::path file = dir / fmt::format("{}-{:03}.svg", name, frame);
            draw(g, root, file, options);
            frames.push_back(file.string());
        }
        ++frame;
    };
    const NodeNamer namer = [&](NodeId n) { return session.node_name(n); };
    std::size_t updates = 0;
    step(fmt::format("{}.grad = 1", name), root);
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
            ++updates;
            step(line, u.parent);
        }
    }
    // The real backward pass, so the session ends exactly as after :backward NAME.
    session.backward(root);
    undo.commit();
    if (!dir.empty())
        text += fmt::format("wrote {} frames to {}/{}-000.svg … {}-{:03}.svg\n", frame,
                            args[1].text, name, name, frame - 1);
    if (!text.empty()) out.text(text);
    for (const std::string& f : frames)
        out.wrote_file(WrittenFile{f, "svg"});
}

}  // namespace

void add_trace_command(Session& session) {
    session.add_command(
        {"trace", "", "the backward pass, one chain-rule step a line",
         "Runs :backward NAME and prints every gradient update in the order backpropagation\n"
         "makes it, with the local derivative written out:\n"
         "  a.grad += b.data * e.grad = -3 * -2 = 6\n"
         "'(now X)' follows when a node's gradient accumulates from several uses. With DIR,\n"
         "also one SVG per update (DIR/NAME-000.svg, -001 …) with the updated node highlighted,\n"
         "showing the gradients so far; at most 399 updates. In a notebook, :trace NAME frames\n"
         "shows each frame under its line instead (./frames is a directory of that name).\n",
         cmd_trace, true, false,
         CommandSpec{.args = {{.name = "NAME", .kind = ArgKind::Node, .help = "the value to trace"},
                              {.name = "DIR",
                               .kind = ArgKind::Directory,
                               .help = "a directory for one picture per update (frames: shown "
                                       "in a notebook)",
                               .optional = true,
                               .choices = {"frames"}}}}});
}

}  // namespace mgrad
