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

/// `:draw NAME [OPTIONS]` in a front end that shows pictures: SVG (or format=png) in memory.
void draw_inline(Session& session, NodeId root, std::span<const OptionArg> option_words,
                 const DrawOptions& options, Output& out) {
    const Format format = options.format.value_or(Format::Svg);
    if (format != Format::Svg && format != Format::Png) {
        for (const OptionArg& o : option_words)
            if (o.spec->key == "format")
                throw Error(fmt::format("a picture shown here is svg or png; name a file to "
                                        "write {}",
                                        format_name(format)),
                            o.word.span);
    }
    out.picture(Picture{std::string(format_name(format)),
                        render(session.graph(), root, format, options, draw_control(session, out)),
                        session.node_name(root)});
}

void cmd_draw(Session& session, const CommandArgs& args, Output& out) {
    const NodeId root = *args.node("NAME");
    const Word& name = *args.get("NAME");
    // Without FILE: shown where the front end shows pictures (a notebook), else NAME.svg, as
    // `mgrad --draw NAME` does. The option words were checked against their specs already.
    const Word* file_word = args.get("FILE");
    std::vector<std::string> words;
    for (const OptionArg& o : args.options())
        words.push_back(o.word.text);
    const DrawOptions options = parse_draw_options(words);
    if (file_word == nullptr && out.shows_pictures()) {
        draw_inline(session, root, args.options(), options, out);
        return;
    }
    const std::filesystem::path file = file_word ? file_word->text : name.text + ".svg";
    const SourceSpan file_span = file_word ? file_word->span : name.span;
    const DrawControl control = draw_control(session, out);
    try {
        draw(session.graph(), root, file, options, control);
    } catch (const Error& e) {
        if (e.span() || session.interrupted()) throw;  // an interrupt is no fault of the file
        throw e.at(file_span);
    }
    const Format format = options.format ? *options.format : *format_from_extension(file);
    out.text(fmt::format("drew {} to {} ({})\n", session.node_name(root), file.string(),
                         format_name(format)));
    out.wrote_file(WrittenFile{file.string(), std::string(format_name(format))});
}

}  // namespace

void add_draw_command(Session& session) {
    session.add_command(
        {.name = "draw",
         .summary = "draw NAME's graph to an SVG, PNG, PDF, DOT or JSON file",
         .help =
             "The format follows FILE's extension (.svg .png .pdf .dot .json) or format=FMT;\n"
             "without FILE, NAME.svg. Operands of -, / and ** are numbered 1 and 2 on their "
             "edges.\n"
             "Each value is a box { label | data | grad }; each operation a small node feeding "
             "it.\n"
             "Colours: inputs green, constants grey, computed values slate, the drawn value "
             "amber.\n"
             "In a notebook, :draw NAME [OPTIONS] without FILE shows the picture under the "
             "cell.\n"
             "Options may come before or after FILE.\n"
             "Example:\n  :draw L lecture.png\n  :draw L big.svg depth=3 hide-constants shade\n",
         .handler = cmd_draw,
         .spec = CommandSpec{.args = {{.name = "NAME",
                                       .kind = ArgKind::Node,
                                       .help = "the value whose graph to draw"},
                                      {.name = "FILE",
                                       .kind = ArgKind::File,
                                       .help = "the picture to write; its extension is the format",
                                       .optional = true,
                                       .choices = {"svg", "png", "pdf", "dot", "json", "gv"}}},
                             .options = draw_option_parser().specs(),
                             .option_noun = "draw option",
                             .options_word = true}});
}

}  // namespace mgrad
