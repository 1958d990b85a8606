// The live view as the mgrad command drives it: --view, --view-port, --open and `:view`.
//
// The view lives in a module (libmgrad-view.so, see mgrad/view/view.hpp) loaded the first time
// it is asked for, so a run without it never loads the HTTP library. This file finds and loads
// the module, starts the view, prints its address, adds `:view` to the session, and serves the
// page after a script when there is no REPL to wait in.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <memory>
#include <string>

#include <mgrad/language/session.hpp>
#include <mgrad/view/view.hpp>

namespace mgrad::cli {

class ViewControl final : public view::Host {
  public:
    ViewControl(Session& session, std::uint16_t port, bool open_browser);
    ViewControl(const ViewControl&) = delete;
    ViewControl& operator=(const ViewControl&) = delete;
    ~ViewControl() override;

    /// Adds `:view [NAME] [OPTIONS]` to the session (it starts the view when it is not running).
    void add_command();
    /// Starts the view if it is not running: loads the module, prints `view: URL` on stderr,
    /// opens the browser with --open. Throws mgrad::Error.
    view::View& start();
    /// The running view, or null.
    [[nodiscard]] view::View* get() noexcept { return m_view.get(); }
    /// Keeps serving the page (running what it posts) until Ctrl-C, SIGTERM, or the end of
    /// standard input when it is a terminal (Ctrl-D).
    void serve();
    /// Stops the view; false when a layout was still running after a short wait (the caller
    /// should then leave with _exit).
    bool stop();

    void before_output() override;

  private:
    void open_browser(const std::string& url);

    Session& m_session;
    std::uint16_t m_port;
    bool m_open;
    std::unique_ptr<view::View> m_view;
    pid_t m_opener = -1;
    std::string m_redirect_dir;  ///< --open's private directory with the page that redirects
};

}  // namespace mgrad::cli
