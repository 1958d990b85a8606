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

/// The layout runs in a child process that Ctrl-C (the session's interrupt flag) can stop; a
/// long one says how far it is.
DrawControl draw_control(Session& session, Output& out) {
    DrawControl control;
    control.cancelled = [&session] { return session.interrupted(); };
    control.progress = [&out](const DrawProgress& p) {
        out.status(p.done ? std::string()
                          : fmt::format("laying out {} nodes… {:.0f} s (Ctrl-C stops it)",
                                        grouped(p.nodes), p.seconds));
    };
    return control;
}

// Whether a word is one of :draw's options rather than a file name (`:draw L tb`).
bool is_draw_option(const std::string& word) {
    if (format_from_extension(word)) return false;
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
                        render(session.graph(), root, format, options, draw_control(session, out)),
                        session.node_name(root)});
}

void cmd_draw(Session& session, std::span<const Word> args, Output& out) {
    if (args.empty())
        throw Error("missing argument; usage: :draw NAME [FILE] [OPTIONS]  (see :help draw)");
    const NodeId root = session.require(args[0].text, args[0].span);
    // Without FILE: shown where the front end shows pictures (a notebook), else NAME.svg, as
    // `mgrad --draw NAME` does.
    const bool has_file = args.size() >= 2 && !is_draw_option(args[1].text);
    const bool inline_picture = !has_file && out.shows_pictures();
    const std::span<const Word> option_words = args.subspan(has_file ? 2 : 1);
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
        throw Error(e.what(), option_words.front().span);
    }
    if (inline_picture) {
        draw_inline(session, root, option_words, options, out);
        return;
    }
    const std::filesystem::path file = has_file ? args[1].text : args[0].text + ".svg";
    const SourceSpan file_span = has_file ? args[1].span : args[0].span;
    const DrawControl control = draw_control(session, out);
    try {
        draw(session.graph(), root, file, options, control);
    } catch (const Error& e) {
        if (e.span() || session.interrupted()) throw;  // an interrupt is no fault of the file
        throw Error(e.what(), file_span);
    }
    const Format format = options.format ? *options.format : *format_from_extension(file);
    out.text(fmt::format("drew {} to {} ({})\n", session.node_name(root), file.string(),
                         format_name(format)));
    out.wrote_file(WrittenFile{file.string(), std::string(format_name(format))});
}

}  // namespace

void add_draw_command(Session& session) {
    session.add_command(
        {"draw", ":draw NAME [FILE] [OPTIONS]",
         "draw NAME's graph to an SVG, PNG, PDF, DOT or JSON file",
         "The format follows FILE's extension (.svg .png .pdf .dot .json) or format=FMT;\n"
         "without FILE, NAME.svg. Operands of -, / and ** are numbered 1 and 2 on their edges.\n"
         "Each value is a box { label | data | grad }; each operation a small node feeding it.\n"
         "Colours: inputs green, constants grey, computed values slate, the drawn value amber.\n"
         "In a notebook, :draw NAME [OPTIONS] without FILE shows the picture under the cell.\n"
         "Options:\n" +
             draw_options_help() +
             "Example:\n  :draw L lecture.png\n  :draw L big.svg depth=3 hide-constants shade\n",
         cmd_draw});
}

}  // namespace mgrad
