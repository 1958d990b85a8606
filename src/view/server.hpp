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
//
// Transport: the Gate (gate.hpp) accepts the connections and reads each request, bounded in size
// and time, and checks it; only then does a worker hand the request to cpp-httplib, which parses
// it from memory, routes it and writes the answer. One request a connection (no keep-alive), so
// every request passes the gate. An event stream holds its worker while the page is open and
// lets it go within 0.1 s of the page closing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "channel.hpp"
#include "gate.hpp"

namespace mgrad::view::detail {

class Http;

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

    /// Workers: one per open page's event stream (at most Channel::max_streams) and a few for
    /// the page's other requests.
    static constexpr std::size_t worker_threads = Channel::max_streams + 4;
    /// Admitted requests waiting for a worker; more are told the server is busy.
    static constexpr std::size_t max_queued = 128;

  private:
    void routes();
    bool admit(Admitted& request);
    void work();

    std::shared_ptr<Channel> m_channel;
    std::string m_token;
    std::uint16_t m_port = 0;
    std::unique_ptr<Http> m_http;
    std::unique_ptr<Gate> m_gate;

    std::mutex m_mutex;  ///< guards the queue, the sockets being served and m_stopping
    std::condition_variable m_queued;
    std::deque<Admitted> m_queue;
    std::set<int> m_serving;  ///< sockets workers are answering (shut down on stop)
    bool m_stopping = false;
    std::vector<std::thread> m_workers;
};

}  // namespace mgrad::view::detail
