// Channel — everything the view's threads share, behind one mutex.
//
// Three kinds of thread meet here: the session's thread (the REPL), the layout thread and the
// HTTP server's workers. Work flows one way each:
//   pages → session:  jobs (a leaf's new value, a name to show), posted by server workers, taken
//                     by the session's thread, which an eventfd wakes from its poll();
//   session → pages:  frames (a JSON text with the SVG and what the inspector and the stepper
//                     need), published by the layout thread, waited for by each event stream.
// Nothing else crosses threads: the Session itself is never seen by the other two.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mgrad::view::detail {

/// Work a page asks of the session. Fields are checked by the server before posting (names and
/// numbers of bounded length) and again by the session's thread before anything runs.
struct Job {
    enum class Kind { Set, Show, Options };
    Kind kind = Kind::Show;
    std::string name;                ///< Set: the leaf; Show: the name (empty: follow the latest)
    double value = 0.0;              ///< Set: the new data
    std::vector<std::string> words;  ///< Options: `:draw` option words
};

/// A published frame: its number (1, 2, …) and its text.
struct Frame {
    std::uint64_t number = 0;
    std::shared_ptr<const std::string> text;
};

class Channel {
  public:
    /// At most this many jobs wait; more are refused (the page is told to slow down).
    static constexpr std::size_t max_jobs = 64;
    /// At most this many event streams (pages) at once.
    static constexpr std::size_t max_streams = 8;

    Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel();

    // --- jobs -----------------------------------------------------------------------------
    enum class Posted { Queued, Full, Stopped };
    Posted post(Job job);
    /// Every waiting job, oldest first; clears the wakeup fd.
    std::vector<Job> take_jobs();
    /// Readable while jobs wait.
    [[nodiscard]] int wakeup_fd() const noexcept { return m_wakeup; }

    // --- frames ---------------------------------------------------------------------------
    void publish(std::string text);
    /// The newest frame, if any was published.
    [[nodiscard]] std::optional<Frame> latest() const;
    /// Waits until a frame newer than `seen` is published (returns it), the status changes
    /// (`status_seen` differs; returns nothing, status() says what it is), the channel stops or
    /// `timeout` passes (both: nothing).
    std::optional<Frame> wait(std::uint64_t seen, std::uint64_t status_seen,
                              std::chrono::milliseconds timeout);

    // --- status (a layout in progress) ----------------------------------------------------
    void set_status(std::string text);
    /// {number, text}: number counts changes.
    [[nodiscard]] std::pair<std::uint64_t, std::string> status() const;

    // --- streams --------------------------------------------------------------------------
    /// Counts an event stream in; false when max_streams are open.
    bool open_stream();
    void close_stream();
    [[nodiscard]] std::size_t streams() const;

    /// Wakes every waiter for good; posts are refused from now on.
    void stop();
    [[nodiscard]] bool stopped() const;

  private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Job> m_jobs;
    Frame m_frame;
    std::uint64_t m_status_number = 0;
    std::string m_status;
    std::size_t m_streams = 0;
    bool m_stopped = false;
    int m_wakeup = -1;
};

}  // namespace mgrad::view::detail
