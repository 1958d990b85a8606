// The mgrad command: option parsing and dispatch to the front ends.
//
//   mgrad                      the REPL on a terminal; standard input as a script otherwise
//   mgrad FILE.mg …            run scripts (first error stops with status 1)
//   mgrad -c 'a=2; b=3; a*b'   run a string
//   mgrad -i FILE.mg           run scripts, then stay in the REPL
//   mgrad SUBCOMMAND …         see `subcommands` below
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/mgrad.hpp>

#include "cli_spec.hpp"
#include "help_text.hpp"
#include "json_output.hpp"
#include "jupyter.hpp"
#include "line_editor.hpp"
#include "repl.hpp"
#include "train.hpp"
#include "view_control.hpp"

using mgrad::cli::describe_app;
using mgrad::cli::terminal_width;
using mgrad::cli::with_choices;
using mgrad::cli::with_files;
using mgrad::cli::with_words;
using mgrad::cli::wrap_help;

namespace {

// Subcommands take over the whole command line after their name. Adding one is one line here
// (and its header): {"train", run_train}.
struct Subcommand {
    std::string_view name;
    std::string_view summary;  ///< for `mgrad --help`
    int (*run)(int argc, char** argv);
};
const std::vector<Subcommand> subcommands = {
    {"train", "train a small MLP on a generated 2-D data set", mgrad::cli::run_train},
    {"jupyter", "install, remove or run the Jupyter kernel (docs/jupyter.md)",
     mgrad::cli::run_jupyter}};

/// `mgrad help [SUBCOMMAND]`: the help of mgrad or of a subcommand (as SUBCOMMAND --help).
int run_help(std::string_view program_help, int argc, char** argv) {
    if (argc <= 1) {
        std::cout << program_help;
        return 0;
    }
    for (const auto& sub : subcommands) {
        if (sub.name != argv[1]) continue;
        std::string name(sub.name), flag("--help");
        std::array<char*, 3> args{name.data(), flag.data(), nullptr};
        return sub.run(2, args.data());
    }
    std::string names;
    for (const auto& sub : subcommands)
        names += fmt::format(" {}", sub.name);
    std::cerr << fmt::format(
        "mgrad: no help on '{}'; subcommands:{} (mgrad --help shows the rest)\n", argv[1], names);
    return 2;
}

struct Options {
    std::vector<std::string> files;
    std::vector<std::string> commands;
    bool interactive = false;
    bool keep_going = false;
    bool echo = false;
    bool json = false;
    std::string draw;
    std::string output;
    std::string draw_options;
    std::size_t max_nodes = mgrad::default_max_nodes;
    std::vector<std::string> allow_write;
    std::string color = "auto";
    bool view = false;
    std::uint16_t view_port = 0;
    bool open = false;
};

constexpr int exit_usage = 2;

void report_usage_error(std::string_view message) {
    std::cerr << fmt::format("mgrad: {}\nTry 'mgrad --help' for more information.\n", message);
}

// Rows of a long table per page in the REPL: the terminal's height less the lines around the
// table (header, the "more" line, the prompt); 0 (no paging) when standard output is not a
// terminal, or $MGRAD_PAGE_ROWS when set (0 turns paging off).
std::size_t page_rows() {
    if (const char* rows = std::getenv("MGRAD_PAGE_ROWS"); rows && *rows) {
        const long n = std::strtol(rows, nullptr, 10);
        return n > 0 && n < 1'000'000 ? static_cast<std::size_t>(n) : 0;
    }
    winsize size{};
    if (!::isatty(STDOUT_FILENO) || ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 ||
        size.ws_row == 0)
        return 0;
    return std::max<std::size_t>(size.ws_row, 14) - 4;
}

// Colour on a stream: --color=always or never decide; auto means a terminal, unless NO_COLOR
// is set (https://no-color.org) or TERM is dumb.
bool use_color(std::string_view mode, int fd) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    if (const char* no = std::getenv("NO_COLOR"); no && *no) return false;
    if (const char* term = std::getenv("TERM"); term && std::string_view(term) == "dumb")
        return false;
    return ::isatty(fd) == 1;
}

// Runs the scripts and -c strings in order; false when one failed (and we stopped).
bool run_scripts(mgrad::Session& session, const Options& o) {
    bool ok = true;
    auto failed = [&] {
        ok = false;
        return !o.keep_going;
    };
    for (const auto& file : o.files) {
        if (session.quit_requested()) return ok;
        try {
            if (!session.run_file(file) && failed()) return false;
        } catch (const mgrad::Error& e) {
            session.output().report(
                mgrad::Diagnostic{mgrad::Severity::Error, "mgrad", "", e.what(), {}});
            if (failed()) return false;
        }
    }
    for (const auto& text : o.commands) {
        if (session.quit_requested()) return ok;
        if (!session.run("<command line>", text) && failed()) return false;
    }
    return ok;
}

}  // namespace

namespace {

/// mgrad's own options (its subcommands define theirs).
void define_options(CLI::App& app, Options& o) {
    app.add_option("FILE", o.files, "scripts to run in order ('-' reads standard input)")
        ->type_name("");
    app.add_option("-c,--command", o.commands, "run TEXT as a script, after the FILEs")
        ->type_name("TEXT")
        ->allow_extra_args(false);
    app.add_flag("-i,--interactive", o.interactive, "stay in the REPL after running the scripts");
    app.add_flag("-k,--keep-going", o.keep_going,
                 "report every error and go on (the exit status is still 1)");
    app.add_flag("--echo", o.echo, "print each statement (>>> …) before its output");
    app.add_flag("--json", o.json,
                 "print each result, table, progress report, text and diagnostic as one JSON "
                 "line on standard output (scripts only)");
    with_choices(app.add_option("--color", o.color,
                                "colour diagnostics and results: auto (on a terminal, unless "
                                "NO_COLOR is set or TERM=dumb), always or never")
                     ->type_name("WHEN"),
                 {"auto", "always", "never"});
    auto* draw = app.add_option("--draw", o.draw, "after the scripts, draw NAME (:draw NAME FILE)")
                     ->type_name("NAME");
    with_files(app.add_option("-o,--output", o.output,
                              "the file --draw writes (default NAME.svg); its extension is the "
                              "format")
                   ->type_name("FILE")
                   ->needs(draw),
               {"svg", "png", "pdf", "dot", "json", "gv"});
    std::vector<std::string> draw_words;  // :draw's option words, from their specs
    for (const mgrad::OptionSpec& spec : mgrad::draw_option_parser().specs())
        if (!spec.help.empty())
            draw_words.push_back(std::string(spec.key) + (spec.takes_value() ? "=" : ""));
    with_words(app.add_option("--draw-options", o.draw_options,
                              "options for --draw, as for :draw (e.g. \"tb shade depth=3\")")
                   ->type_name("OPTIONS")
                   ->needs(draw),
               std::move(draw_words));
    app.add_option("--max-nodes", o.max_nodes,
                   fmt::format("cap the graph at N nodes "
                               "(default {}; 0: no cap)",
                               mgrad::default_max_nodes))
        ->type_name("N")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (!text.empty() && text.size() <= 10 &&
                    text.find_first_not_of("0123456789") == std::string::npos)
                    return {};
                return fmt::format("expected a whole number from 0 to 9999999999, not '{}'", text);
            },
            "", "max-nodes"));
    app.add_option("--allow-write", o.allow_write,
                   "let scripts (FILEs, standard input, :load) write files inside DIR too; "
                   "otherwise they write only inside the current directory (repeatable)")
        ->type_name("DIR")
        ->allow_extra_args(false)
        ->check(CLI::ExistingDirectory.description(""));
    auto* view =
        app.add_flag("--view", o.view, "show the graph live in the browser (docs/view.md)");
    app.add_option("--view-port", o.view_port,
                   "the view's port on 127.0.0.1 (default 0: any free one)")
        ->type_name("PORT")
        ->needs(view);
    app.add_flag("--open", o.open, "open the view's page with xdg-open")->needs(view);
    app.set_version_flag(
        "--version",
        fmt::format("mgrad {}\nLicense MIT: see the LICENSE file.", mgrad::version_string),
        "print the version and exit");
    app.set_help_flag("-h,--help", "print this help and exit");
    std::string subcommand_list;
    for (const auto& sub : subcommands)
        subcommand_list +=
            fmt::format("  mgrad {:<24} {}\n", fmt::format("{} [OPTIONS]", sub.name), sub.summary);
    app.footer(
        "Subcommands (each with --help, or mgrad help SUBCOMMAND):\n" + subcommand_list +
        "  mgrad help [SUBCOMMAND]        this help, or a subcommand's\n\n"
        // One line per paragraph: the help is wrapped to the terminal when printed.
        "With no FILE and no -c, mgrad starts the REPL on a terminal and reads a script from "
        "standard input otherwise. Exit status: 0 on success, 1 if a statement failed, 2 for a "
        "usage error.\n\n"
        "Examples:\n"
        "  mgrad                          interactive session (:help lists the commands)\n"
        "  mgrad --echo lecture.mg        run a script as a readable transcript\n"
        "  mgrad -c 'L=2*3; :backward L'  run a string as a script\n"
        "  mgrad net.mg --draw L          draw L's graph to L.svg after the script ran\n"
        "  mgrad --view                   the REPL, with the graph live in the browser");
}

/// Every option of mgrad and its subcommands, for the shell's completion (cli_spec.hpp).
void print_completion_spec() {
    CLI::App app{"", "mgrad"};
    Options o;
    define_options(app, o);
    describe_app(std::cout, "mgrad", app);
    std::string names;
    for (const auto& sub : subcommands)
        names += fmt::format("{} ", sub.name);
    std::cout << fmt::format("mgrad\t\tsubcommands\t{}help\n", names);
    std::cout << fmt::format("mgrad help\t\tsubcommands\t{}help\n", names);
    mgrad::cli::describe_train(std::cout);
    mgrad::cli::describe_jupyter(std::cout);
}

}  // namespace

namespace {
int run_main(int argc, char** argv);
int run_session(mgrad::Session& session, const Options& o, bool scripted,
                mgrad::cli::ViewControl& view_control, mgrad::StreamOutput* pager);
}  // namespace

int main(int argc, char** argv) {
    // Sessions report every user error themselves; this only catches what must never happen.
    try {
        return run_main(argc, argv);
    } catch (const std::bad_alloc&) {
        std::cerr << "mgrad: error: out of memory\n";
    } catch (const std::exception& e) {
        std::cerr << "mgrad: internal error: " << e.what() << "\n";
    }
    return 1;
}

namespace {

int run_main(int argc, char** argv) {
    // Past the file size limit (ulimit -f) a write then fails with EFBIG, which is reported
    // like any write error, instead of the signal ending the process halfway.
    std::signal(SIGXFSZ, SIG_IGN);
    if (argc > 1) {
        for (const auto& sub : subcommands)
            if (sub.name == argv[1]) return sub.run(argc - 1, argv + 1);
    }

    if (argc == 2 && std::string_view(argv[1]) == "--completion-spec") {
        print_completion_spec();
        return 0;
    }

    CLI::App app{"Build, evaluate and backpropagate scalar formulas, and see the graph.", "mgrad"};
    Options o;
    define_options(app, o);
    if (argc > 1 && std::string_view(argv[1]) == "help")
        return run_help(wrap_help(app.help(), terminal_width()), argc - 1, argv + 1);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << wrap_help(app.help(), terminal_width());
        return 0;
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        report_usage_error(e.what());
        return exit_usage;
    }

    const bool scripted = !o.files.empty() || !o.commands.empty();
    if (o.json && (o.interactive || (!scripted && ::isatty(STDIN_FILENO)))) {
        report_usage_error("--json is for scripts (FILE, -c or standard input), not the REPL");
        return exit_usage;
    }
    // Status lines (a long layout) only on a terminal, where they can be erased again.
    mgrad::StreamOutput stream_out(std::cout, std::cerr,
                                   ::isatty(STDERR_FILENO) ? &std::cerr : nullptr);
    stream_out.set_color(use_color(o.color, STDOUT_FILENO), use_color(o.color, STDERR_FILENO));
    stream_out.set_width(terminal_width());
    mgrad::cli::JsonOutput json_out(std::cout);
    mgrad::Output& out = o.json ? static_cast<mgrad::Output&>(json_out) : stream_out;
    mgrad::SessionOptions options{o.keep_going, o.echo, o.max_nodes};
    for (const std::string& dir : o.allow_write)  // absolute now: the rule is made per script
        options.allow_write.push_back(std::filesystem::absolute(dir).string());
    mgrad::Session session(out, options);
    mgrad::add_standard_commands(session);
    mgrad::cli::ViewControl view_control(session, o.view_port, o.open);
    view_control.add_command();
    if (o.view) {
        try {
            (void)view_control.start();
        } catch (const mgrad::Error& e) {
            std::cerr << fmt::format("mgrad: error: {}\n", e.what());
            return 1;
        }
    }
    const int status =
        run_session(session, o, scripted, view_control, o.json ? nullptr : &stream_out);
    if (!view_control.stop()) {
        // A layout still runs on the view's thread: leave without running destructors under it.
        std::cout.flush();
        std::cerr.flush();
        std::_Exit(status);
    }
    return status;
}

int run_session(mgrad::Session& session, const Options& o, bool scripted,
                mgrad::cli::ViewControl& view_control, mgrad::StreamOutput* pager) {
    bool ok = true;
    if (o.interactive) {
        // Ctrl-C while the scripts run stops them (between statements, or a long command) and
        // the REPL starts with everything bound so far, instead of ending the process.
        mgrad::cli::catch_interrupts();
        session.set_interrupt_flag(mgrad::cli::line_editor_interrupt_flag());
    }
    if (scripted) {
        ok = run_scripts(session, o);
    } else if (!::isatty(STDIN_FILENO) && !o.interactive) {
        ok = session.run_file("-");
    }
    if (!o.draw.empty() && (ok || o.keep_going) && !session.quit_requested()) {
        std::vector<std::string> args{o.draw, o.output.empty() ? o.draw + ".svg" : o.output};
        std::istringstream words(o.draw_options);
        for (std::string w; words >> w;)
            args.push_back(w);
        if (!session.run_command("draw", args)) ok = false;
    }
    std::cout.flush();
    if (o.interactive || (!scripted && ::isatty(STDIN_FILENO))) {
        // Someone reads the screen and can type :more: long tables come a screenful at a time.
        if (pager != nullptr) pager->set_page_rows(page_rows());
        if (!session.quit_requested())
            (void)mgrad::cli::run_repl(session, [&view_control] {
                if (auto* view = view_control.get()) {
                    mgrad::cli::line_editor_watch(view->wakeup_fd(),
                                                  [view] { view->run_pending(); });
                    view->idle();
                }
            });
        return ok ? 0 : 1;
    }
    // No REPL to wait in: a view started by --view or a script's :view goes on serving.
    if (!session.quit_requested()) view_control.serve();
    return ok ? 0 : 1;
}

}  // namespace
