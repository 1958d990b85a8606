// Server — the view's HTTP side: the page, its event stream and three small requests, with
// every request checked before it is routed.
//
// Checks, in order (docs/view.md explains each):
//   - the socket listens on 127.0.0.1 only;
//   - the Host header names this server (127.0.0.1:PORT or localhost:PORT), so a web page whose
//     own name was made to resolve to 127.0.0.1 (DNS rebinding) is refused;
//   - the token, in `token=` or the X-Mgrad-Token header, on every request and event stream;
//   - an Origin header, when there is one, is this server's; a request that changes something
//     (POST) must not come from another site (Sec-Fetch-Site), must be JSON (so a cross-origin
//     one needs a CORS preflight, which is never granted) and fit in 4 KiB;
//   - only GET and POST; at most Channel::max_streams event streams, Channel::max_jobs jobs.
// A request never waits for the session: posting a job answers 202 at once, and the result
// arrives in the next frame. Nothing a page can post writes a file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "channel.hpp"

namespace httplib {
class Server;
}

namespace mgrad::view::detail {

class Server {
  public:
    /// Binds 127.0.0.1:`port` (0: a free port) and starts serving on a thread of its own.
    /// Throws mgrad::Error when it cannot listen.
    Server(std::shared_ptr<Channel> channel, std::string token, std::uint16_t port);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    /// Stops serving and joins the server's threads (stop the channel first, so event streams
    /// end at once).
    ~Server();

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }

  private:
    void routes();

    std::shared_ptr<Channel> m_channel;
    std::string m_token;
    std::uint16_t m_port = 0;
    std::unique_ptr<httplib::Server> m_http;
    std::thread m_thread;
};

}  // namespace mgrad::view::detail
