// The playground: a Session in WebAssembly, driven by the page (page/playground.js) through a
// small class bound with embind. Everything crosses as strings: statements in, JSON out (the
// console's events, the page's frames). The session runs on the page's main thread: a page
// opened from file:// may start no worker, and the page's calls are short (a statement, a
// frame); Graphviz lays out in the same thread, synchronously.
#include <emscripten/bind.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engines.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/commands/page_frame.hpp"
#include "mgrad/language/command_spec.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/render/render.hpp"
#include "mgrad/version.hpp"
#include "page_output.hpp"

namespace mgrad::page {

namespace {

constexpr const char* empty_hint =
    "No names yet. Type a formula in the console, e.g.  L = (a*b + c) * f";

/// Whether the page's file system (emscripten's, in memory) has this file.
bool page_has_file(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

class Playground {
  public:
    /// `shows_pictures`: the page's console shows `:draw NAME` and `:plot` as pictures; without
    /// it they write files and print as `mgrad FILE` does (the golden transcripts under node).
    explicit Playground(bool shows_pictures) : m_output(shows_pictures) { start(); }

    /// Runs an entry typed into the console (its lines counted on from the previous entries,
    /// as the REPL counts them). Returns {"ok", "events"}.
    std::string run(const std::string& text) {
        const bool ok = m_session->run("<console>", text, m_line);
        m_line += lines_in(text);
        return finish(ok);
    }

    /// Runs a file of the page's file system (a golden transcript, a dropped script), as
    /// `mgrad FILE` runs it.
    std::string run_file(const std::string& path) {
        bool ok = false;
        try {
            ok = m_session->run_file(path);
        } catch (const Error& e) {
            m_session->output().report(Diagnostic{Severity::Error, "mgrad", "", e.what(), {}});
        }
        return finish(ok);
    }

    /// True while `text` ends inside parentheses or after an operator: the console reads on.
    static bool incomplete(const std::string& text) { return Parser::is_incomplete(text); }

    /// What may complete `word`: commands, bound names, constants, functions (with their '(').
    std::string complete(const std::string& word) const {
        std::vector<std::string> names = m_session->completions(word);
        const std::vector<std::string> functions = m_session->function_names();
        for (auto& name : names)
            if (std::binary_search(functions.begin(), functions.end(), name)) name += '(';
        return nlohmann::json(names).dump();
    }

    /// The page's frame (page_frame.hpp) with the picture's DOT text, or "" when nothing
    /// changed since the last call.
    std::string frame() {
        PageFrame composed = m_frames->compose();
        if (composed.json == m_last_json && composed.drawing == m_last_drawing) return {};
        m_last_json = composed.json;
        m_last_drawing = composed.drawing;
        nlohmann::json fields = nlohmann::json::parse(composed.json);
        fields["seq"] = ++m_seq;
        if (composed.drawing) {
            try {
                fields["dot"] = render(*composed.drawing, Format::Dot);
            } catch (const Error& e) {
                fields["message"] = {{"kind", "error"},
                                     {"text", std::string("cannot draw: ") + e.what()}};
            }
        }
        return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }

    /// The page's picker and option controls: `:view`'s NAME and option words.
    std::string show(const std::string& name) {
        return guarded([&] {
            m_frames->show(name.empty() ? std::nullopt : std::optional<std::string>(name), {});
        });
    }
    std::string set_options(const std::string& words_json) {
        return guarded([&] {
            m_frames->set_options(
                nlohmann::json::parse(words_json).get<std::vector<std::string>>());
        });
    }

    /// The statements a share link carries: what `:save` would write.
    std::string transcript() const { return std::string(m_session->transcript().text); }

    static std::string version() { return std::string(version_string); }

  private:
    void start() {
        m_frames.reset();
        m_session = std::make_unique<Session>(m_output);
        add_standard_commands(*m_session);
        m_frames = std::make_unique<PageFrames>(*m_session, empty_hint);
        m_line = 1;
        add_page_commands();
    }

    /// What the page changes in the command table: `:view` picks what the graph beside shows
    /// (as it picks what the live view shows); `:load` of a file the page does not have asks
    /// for it; `:quit` starts a new session, since the page stays.
    void add_page_commands() {
        m_session->add_command(
            {"view", ":view [NAME] [OPTIONS]", "show the graph live in the browser",
             "In the page, the graph beside the console follows the newest value. :view NAME\n"
             "shows NAME instead, until :view alone goes back to following; OPTIONS are\n"
             ":draw's option words (depth=N, max-nodes=N, hide-constants, shade, tb ...).\n",
             [this](Session&, std::span<const Word> args, Output&) {
                 std::optional<std::string> name;
                 std::vector<std::string> words;
                 for (const Word& w : args) {
                     const bool option = w.text.find('=') != std::string::npos ||
                                         !m_session->lookup(w.text).has_value();
                     if (!name && words.empty() && !option)
                         name = w.text;
                     else
                         words.push_back(w.text);
                 }
                 m_frames->show(name, words);
             }});
        const Command* load = m_session->find_command("load");
        if (load != nullptr) {
            Command page_load = *load;
            page_load.handler = [this, inner = load->handler](
                                    Session& session, const CommandArgs& args, Output& out) {
                // The page opens its file picker; a missing file still gets the session's
                // own error, as anywhere else.
                const std::span<const Word> words = args.words();
                if (words.empty() || !page_has_file(words[0].text)) {
                    m_output.event(
                        {{"kind", "pick_file"}, {"path", words.empty() ? "" : words[0].text}});
                    if (words.empty()) return;
                }
                inner(session, args, out);
            };
            m_session->add_command(std::move(page_load));
        }
    }

    std::string finish(bool ok) {
        if (m_session->quit_requested()) {
            m_output.event({{"kind", "note"},
                            {"text", "the session has ended (:quit); the page starts a new one"}});
            start();
        }
        return fmt::format(R"({{"ok":{},"events":{}}})", ok ? "true" : "false", m_output.take());
    }

    template <class F>
    std::string guarded(F&& f) {
        try {
            f();
            return {};
        } catch (const std::exception& e) {
            return e.what();
        }
    }

    static std::uint32_t lines_in(const std::string& text) {
        std::uint32_t n = 0;
        for (char c : text)
            if (c == '\n') ++n;
        return n == 0 || text.back() != '\n' ? n + 1 : n;
    }

    PageOutput m_output;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<PageFrames> m_frames;
    std::uint32_t m_line = 1;
    std::string m_last_json;
    std::optional<Drawing> m_last_drawing;
    std::uint64_t m_seq = 0;
};

}  // namespace mgrad::page

EMSCRIPTEN_BINDINGS(mgrad_page) {
    using mgrad::page::Playground;
    mgrad::page::use_page_engines();
    emscripten::class_<Playground>("Playground")
        .constructor<bool>()
        .function("run", &Playground::run)
        .function("runFile", &Playground::run_file)
        .function("complete", &Playground::complete)
        .function("frame", &Playground::frame)
        .function("show", &Playground::show)
        .function("setOptions", &Playground::set_options)
        .function("transcript", &Playground::transcript)
        .class_function("incomplete", &Playground::incomplete)
        .class_function("version", &Playground::version);
}
