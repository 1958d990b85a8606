// The live view: a page in the browser that follows a session (`mgrad --view`, `:view`).
//
// A small HTTP server in the mgrad process, bound to 127.0.0.1, serves one page and pushes the
// picture of the session's graph to it with server-sent events: the picture `:draw` makes, an
// inspector for each node, and the backward pass step by step. Only the session's own thread
// reads or changes the Session: the server and the page post work (a leaf's new value, another
// name to show) and the front end runs it when it is idle, through wakeup_fd() and
// run_pending(). Layouts run on a thread of their own, so a large one never holds up the REPL.
//
// The view is built as a module loaded on demand (libmgrad-view.so, see docs/view.md): the HTTP
// library and the TLS libraries it links are loaded only by a process that shows a view, so
// `mgrad -c 1` starts as fast as without it. The module finds the rest of mgrad in the program
// that loads it; this header is the whole interface between the two.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mgrad {

class Session;

namespace view {

struct ViewOptions {
    std::uint16_t port = 0;  ///< the port on 127.0.0.1; 0: a free one
};

/// What the view needs from the front end that runs the session.
class Host {
  public:
    virtual ~Host() = default;
    /// Called on the session's thread before the view prints on the session's output (a
    /// page's `:set` shows its table in the terminal), so a REPL waiting at its prompt can move
    /// the prompt and the line being typed out of the way (it draws them again afterwards).
    virtual void before_output() = 0;
};

/// A running view of one session. Every member function is called on the session's thread.
/// Destroying it stops the server (open pages say so) and waits for a layout in progress.
class View {
  public:
    View() = default;
    View(const View&) = delete;
    View& operator=(const View&) = delete;
    virtual ~View() = default;

    /// `http://127.0.0.1:PORT/?token=…`: the page, with the token every request must carry.
    [[nodiscard]] virtual std::string url() const = 0;
    /// Readable (poll for POLLIN) when a page has posted work; run_pending() runs it.
    [[nodiscard]] virtual int wakeup_fd() const = 0;
    /// Runs the work pages posted (a `:set`, another name to show), then publishes what changed.
    virtual void run_pending() = 0;
    /// Publishes the session's state now if it changed since the last picture (the session's
    /// progress hook publishes at most ten times a second; a front end calls this when a
    /// statement is done and it waits for input).
    virtual void idle() = 0;
    /// `:view [NAME] [OPTIONS]`: show NAME (none: the latest bound name, following new ones)
    /// drawn with `:draw`'s option words. Throws mgrad::Error for an unknown name or option.
    virtual void show(const std::optional<std::string>& name,
                      const std::vector<std::string>& option_words) = 0;
    /// Stops serving: closes the pages' event streams and the server, and waits up to `wait` for
    /// a layout in progress. False when that layout is still running (the front end should
    /// then leave with _exit rather than run static destructors under it).
    virtual bool stop(std::chrono::milliseconds wait) = 0;
};

/// What the module exports, under the C name `mgrad_view_entry`.
struct Entry {
    int abi;              ///< view_abi of the module; a loader refuses a module built for another
    const char* version;  ///< mgrad's version string
    /// Starts a view of `session` (which must outlive it). Throws mgrad::Error when it cannot
    /// listen (a port in use).
    std::unique_ptr<View> (*start)(Session& session, Host& host, const ViewOptions& options);
};

/// Changes whenever Entry, View, Host or ViewOptions change.
inline constexpr int view_abi = 1;

}  // namespace view
}  // namespace mgrad

extern "C" {
/// The module's one entry point (found with dlsym).
const mgrad::view::Entry* mgrad_view_entry();
}
