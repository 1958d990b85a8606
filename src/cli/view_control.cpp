#include "view_control.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <mgrad/render/render.hpp>
#include <mgrad/support/error.hpp>
#include <mgrad/version.hpp>

#include "line_editor.hpp"

extern char** environ;

namespace mgrad::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* module_name = "libmgrad-view.so";

/// The module's entry, loaded once: beside the executable (the build tree), else where
/// `cmake --install` puts it (MGRAD_VIEW_MODULE_DIR, relative to the executable's directory).
const view::Entry& module_entry() {
    static const view::Entry* entry = nullptr;
    if (entry != nullptr) return *entry;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error(fmt::format("the view cannot find the mgrad executable: {}", ec.message()));
    const std::vector<fs::path> places{exe.parent_path() / module_name,
                                       exe.parent_path() / MGRAD_VIEW_MODULE_DIR / module_name};
    for (const fs::path& place : places) {
        if (!fs::exists(place, ec)) continue;
        // RTLD_NOW: a module that needs a symbol this executable lacks fails here, not later.
        void* handle = ::dlopen(place.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr)
            throw Error(
                fmt::format("cannot load the view's module {}: {}", place.string(), ::dlerror()));
        auto* get = reinterpret_cast<const view::Entry* (*)()>(::dlsym(handle, "mgrad_view_entry"));
        if (get == nullptr || get()->abi != view::view_abi ||
            std::string_view(get()->version) != version_string)
            throw Error(
                fmt::format("{} belongs to another build of mgrad (rebuild it)", place.string()));
        entry = get();  // never unloaded: the session keeps the view's hook until exit
        return *entry;
    }
    throw Error(
        fmt::format("the live view is not installed: there is no {} beside {} (build "
                    "the target mgrad-view)",
                    module_name, exe.string()));
}

volatile std::sig_atomic_t g_stop_serving = 0;
extern "C" void on_stop_signal(int) { g_stop_serving = 1; }

}  // namespace

ViewControl::ViewControl(Session& session, std::uint16_t port, bool open_browser)
    : m_session(session), m_port(port), m_open(open_browser) {}

ViewControl::~ViewControl() { (void)stop(); }

void ViewControl::add_command() {
    m_session.add_command(
        {.name = "view",
         .summary = "show the graph live in the browser",
         .help = "Starts the live view (an HTTP server on 127.0.0.1) if it is not running and "
                 "prints\n"
                 "its address, view: http://127.0.0.1:PORT/?token=… . The page shows the graph of "
                 "the\n"
                 "latest bound name, or of NAME, and follows every statement; it has an inspector\n"
                 "(click a node), a backward-pass stepper and a leaf editor. The options are "
                 ":draw's.\n"
                 ":view alone goes back to following the latest name. See docs/view.md.\n",
         .handler =
             [this](Session&, const CommandArgs& args, Output& out) {
                 std::optional<std::string> name;
                 if (const Word* w = args.get("NAME")) name = w->text;
                 std::vector<std::string> words;  // checked against the draw options already
                 for (const OptionArg& o : args.options())
                     words.push_back(o.word.text);
                 const bool running = m_view != nullptr;
                 view::View& view = start();
                 view.show(name, words);
                 if (running) out.text(fmt::format("view: {}\n", view.url()));
             },
         .spec = CommandSpec{.args = {{.name = "NAME",
                                       .kind = ArgKind::Node,
                                       .help = "the value to show (default: the latest bound name)",
                                       .optional = true}},
                             .options = draw_option_parser().specs(),
                             .option_noun = "draw option",
                             .options_word = true}});
}

view::View& ViewControl::start() {
    if (m_view) return *m_view;
    const view::Entry& entry = module_entry();
    m_view = entry.start(m_session, *this, view::ViewOptions{m_port});
    std::cout.flush();
    std::cerr << fmt::format("view: {}\n", m_view->url()) << std::flush;
    if (m_open) open_browser(m_view->url());
    return *m_view;
}

namespace {

/// The page that sends the browser on to `url`: written to a file only this user can read, so
/// the token never appears in a command line (any user on the machine may read those, e.g. with
/// ps, while the browser starts). Jupyter opens its pages the same way.
std::string redirect_page(const std::string& url) {
    std::string href;
    for (const char c : url)  // the URL is 127.0.0.1 and hex digits; escaped all the same
        href += c == '&'   ? std::string("&amp;")
                : c == '"' ? std::string("&quot;")
                           : std::string(1, c);
    return fmt::format(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<meta http-equiv=\"refresh\" content=\"0;url={0}\">\n<title>mgrad view</title></head>\n"
        "<body><p>Opening <a href=\"{0}\">the mgrad view</a>…</p></body></html>\n",
        href);
}

/// A directory only this user can enter: in $XDG_RUNTIME_DIR (itself private, cleaned at
/// logout) when there is one, else in $TMPDIR or /tmp.
std::string private_directory() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    const char* tmp = std::getenv("TMPDIR");
    std::string base = runtime && *runtime ? runtime : tmp && *tmp ? tmp : "/tmp";
    std::string dir = base + "/mgrad-view-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) {  // 0700
        dir = "/tmp/mgrad-view-XXXXXX";
        if (::mkdtemp(dir.data()) == nullptr)
            throw Error(fmt::format("cannot make a private directory: {}", std::strerror(errno)));
    }
    return dir;
}

/// Writes `bytes` to the new file `path`, readable and writable by this user only. (A file of
/// mgrad's own in a directory it just made, not a user's file: it needs no atomic replacement.)
void write_private(const std::string& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            throw Error(fmt::format("cannot write '{}': {}", path, std::strerror(error)));
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

}  // namespace

void ViewControl::open_browser(const std::string& url) {
    std::string target;
    try {
        if (m_redirect_dir.empty()) m_redirect_dir = private_directory();
        const std::string file = m_redirect_dir + "/open.html";
        ::unlink(file.c_str());
        write_private(file, redirect_page(url));
        target = "file://" + file;
    } catch (const Error& e) {
        std::cerr << fmt::format("view: {}; open the address yourself\n", e.what());
        return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    // No connection of ours may live on in the browser.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    std::string program = "xdg-open";
    std::vector<char*> argv{program.data(), target.data(), nullptr};
    const int rc = ::posix_spawnp(&m_opener, "xdg-open", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        m_opener = -1;
        std::cerr << fmt::format("view: cannot run xdg-open ({}); open the address yourself\n",
                                 std::strerror(rc));
    }
}

void ViewControl::serve() {
    if (!m_view) return;
    const bool terminal = ::isatty(STDIN_FILENO) != 0;
    // The handlers are in place before the message that invites Ctrl-C (a signal sent on
    // seeing it went to the REPL's handler and was lost), and the signals are blocked from the
    // flag's test until ppoll() unblocks them atomically: a signal between the two would
    // otherwise leave the wait without end.
    g_stop_serving = 0;
    sigset_t stop_signals, waiting_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, nullptr, &waiting_mask);  // the mask as it is
    sigdelset(&waiting_mask, SIGINT);
    sigdelset(&waiting_mask, SIGTERM);
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // ppoll() must return
    struct sigaction old_int {
    }, old_term{};
    ::sigaction(SIGINT, &action, &old_int);
    ::sigaction(SIGTERM, &action, &old_term);
    m_session.set_interrupt_flag(&g_stop_serving);
    std::cerr << fmt::format("view: still serving the page; {} to stop\n",
                             terminal ? "Ctrl-C or Ctrl-D" : "Ctrl-C");
    while (!g_stop_serving && !m_session.quit_requested()) {
        m_view->idle();
        pollfd fds[2] = {{m_view->wakeup_fd(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
        const int ready =
            g_stop_serving ? 0 : ::ppoll(fds, terminal ? 2 : 1, nullptr, &waiting_mask);
        const int wait_error = errno;
        ::pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
        if (ready <= 0) {
            if (ready == 0 || wait_error == EINTR) continue;
            break;
        }
        if ((fds[0].revents & POLLIN) != 0) {
            m_view->run_pending();
            std::cout.flush();  // a page's :set table, now, even into a pipe
        }
        if (terminal && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
            char buffer[256];
            const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n <= 0) break;  // Ctrl-D
            std::cerr << "view: only serving the page now (run mgrad with -i to go on typing)\n";
        }
    }
    m_session.set_interrupt_flag(nullptr);
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
}

bool ViewControl::stop() {
    bool done = true;
    if (m_view) done = m_view->stop(std::chrono::seconds(2));
    if (m_opener > 0) {
        int status = 0;
        (void)::waitpid(m_opener, &status, WNOHANG);
        m_opener = -1;
    }
    if (!m_redirect_dir.empty()) {  // the address is no use once the view has stopped
        (void)::unlink((m_redirect_dir + "/open.html").c_str());
        (void)::rmdir(m_redirect_dir.c_str());
        m_redirect_dir.clear();
    }
    return done;
}

void ViewControl::before_output() { line_editor_make_room(); }

}  // namespace mgrad::cli
