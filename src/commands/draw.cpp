// :draw NAME FILE [options] — the renderer as a command of the language.
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "families.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/render/render.hpp"

namespace mgrad {

namespace {

std::string grouped(std::size_t n) {  // 9002 → "9,002"
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

void cmd_draw(Session& session, std::span<const Word> args, Output& out) {
    if (args.size() < 2)
        throw Error("missing argument; usage: :draw NAME FILE [OPTIONS]  (see :help draw)");
    const NodeId root = session.require(args[0].text, args[0].span);
    std::vector<std::string> words;
    for (const Word& w : args.subspan(2))
        words.push_back(w.text);
    DrawOptions options;
    try {
        options = parse_draw_options(words);
    } catch (const Error& e) {
        // Point at the offending word when the message names it.
        for (const Word& w : args.subspan(2))
            if (std::string_view(e.what()).find(fmt::format("'{}'", w.text)) !=
                std::string_view::npos)
                throw Error(e.what(), w.span);
        throw Error(e.what(), args[2].span);
    }
    const std::filesystem::path file = args[1].text;
    // The layout runs in a child process that Ctrl-C (the session's interrupt flag) can stop.
    DrawControl control;
    control.cancelled = [&session] { return session.interrupted(); };
    control.progress = [&out](const DrawProgress& p) {
        out.status(p.done ? std::string()
                          : fmt::format("laying out {} nodes… {:.0f} s (Ctrl-C stops it)",
                                        grouped(p.nodes), p.seconds));
    };
    try {
        draw(session.graph(), root, file, options, control);
    } catch (const Error& e) {
        if (e.span() || session.interrupted()) throw;  // an interrupt is no fault of the file
        throw Error(e.what(), args[1].span);
    }
    const Format format = options.format ? *options.format : *format_from_extension(file);
    out.text(fmt::format("drew {} to {} ({})\n", session.node_name(root), file.string(),
                         format_name(format)));
}

}  // namespace

void add_draw_command(Session& session) {
    session.add_command(
        {"draw", ":draw NAME FILE [OPTIONS]",
         "draw NAME's graph to an SVG, PNG, PDF, DOT or JSON file",
         "The format follows FILE's extension (.svg .png .pdf .dot .json) or format=FMT.\n"
         "Each value is a box { label | data | grad }; each operation a small node feeding it.\n"
         "Colours: inputs green, constants grey, computed values slate, the drawn value amber.\n"
         "Options:\n" +
             draw_options_help() +
             "Example:\n  :draw L lecture.png\n  :draw L big.svg depth=3 hide-constants shade\n",
         cmd_draw});
}

}  // namespace mgrad
