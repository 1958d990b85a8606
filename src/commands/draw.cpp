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

bool is_option_word(const std::string& word) {
    try {
        (void)parse_draw_options(std::span<const std::string>(&word, 1));
        return true;
    } catch (const Error&) {
        return false;
    }
}

/// `:draw NAME [OPTIONS]` in a front end that shows pictures: SVG (or format=png) in memory.
void draw_inline(Session& session, NodeId root, std::span<const Word> option_words,
                 const DrawOptions& options, Output& out) {
    const Format format = options.format.value_or(Format::Svg);
    if (format != Format::Svg && format != Format::Png) {
        for (const Word& w : option_words)
            if (w.text.starts_with("format="))
                throw Error(fmt::format("a picture shown here is svg or png; name a file to "
                                        "write {}",
                                        format_name(format)),
                            w.span);
    }
    out.picture(Picture{std::string(format_name(format)),
                        render(session.graph(), root, format, options), session.node_name(root)});
}

void cmd_draw(Session& session, std::span<const Word> args, Output& out) {
    // Without a FILE (the second word is missing or an option) the picture is shown where the
    // front end shows pictures, if it does.
    const bool inline_picture =
        out.shows_pictures() &&
        (args.size() == 1 || (args.size() >= 2 && is_option_word(args[1].text)));
    if (args.empty() || (args.size() < 2 && !inline_picture))
        throw Error("missing argument; usage: :draw NAME FILE [OPTIONS]  (see :help draw)");
    const NodeId root = session.require(args[0].text, args[0].span);
    const std::span<const Word> option_words = args.subspan(inline_picture ? 1 : 2);
    std::vector<std::string> words;
    for (const Word& w : option_words)
        words.push_back(w.text);
    DrawOptions options;
    try {
        options = parse_draw_options(words);
    } catch (const Error& e) {
        // Point at the offending word when the message names it.
        for (const Word& w : option_words)
            if (std::string_view(e.what()).find(fmt::format("'{}'", w.text)) !=
                std::string_view::npos)
                throw Error(e.what(), w.span);
        throw Error(e.what(), option_words[0].span);
    }
    if (inline_picture) {
        draw_inline(session, root, option_words, options, out);
        return;
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
    out.wrote_file(WrittenFile{file.string(), std::string(format_name(format))});
}

}  // namespace

void add_draw_command(Session& session) {
    session.add_command(
        {"draw", ":draw NAME FILE [OPTIONS]",
         "draw NAME's graph to an SVG, PNG, PDF, DOT or JSON file",
         "The format follows FILE's extension (.svg .png .pdf .dot .json) or format=FMT.\n"
         "Each value is a box { label | data | grad }; each operation a small node feeding it.\n"
         "Colours: inputs green, constants grey, computed values slate, the drawn value amber.\n"
         "In a notebook, :draw NAME [OPTIONS] without FILE shows the picture under the cell.\n"
         "Options:\n" +
             draw_options_help() +
             "Example:\n  :draw L lecture.png\n  :draw L big.svg depth=3 hide-constants shade\n",
         cmd_draw});
}

}  // namespace mgrad
