// LayoutThread — lays out the pictures the session's thread describes, one at a time, newest
// first, and publishes each frame on the Channel.
//
// The session's thread hands over a Drawing (which no longer points into the graph) and the
// frame's other fields; a submission that arrives while a layout runs replaces any that waits,
// so a burst of statements costs one layout, not one each. Every frame goes through here, also
// those without a picture (an empty session, a graph over the cap), so frames reach the pages
// in the order they were made.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "channel.hpp"
#include "mgrad/render/render.hpp"

namespace mgrad::view::detail {

class LayoutThread {
  public:
    explicit LayoutThread(std::shared_ptr<Channel> channel);
    LayoutThread(const LayoutThread&) = delete;
    LayoutThread& operator=(const LayoutThread&) = delete;
    /// Stops, waiting for a layout in progress (see stop()).
    ~LayoutThread();

    /// Replaces what waits with this frame: `fields` gets "svg" (the laid-out picture) when
    /// there is a drawing, or "message" when the layout fails.
    void submit(std::optional<Drawing> drawing, nlohmann::json fields);
    /// Asks the thread to end and waits up to `wait` for it; false if a layout still runs (the
    /// thread is then left to finish on its own).
    bool stop(std::chrono::milliseconds wait);

  private:
    struct Work {
        std::optional<Drawing> drawing;
        nlohmann::json fields;
    };
    /// Shared with the thread, so a thread left to finish a layout never outlives what it uses.
    struct State {
        std::shared_ptr<Channel> channel;
        std::mutex mutex;
        std::condition_variable wake;
        std::condition_variable done;
        std::optional<Work> pending;
        bool stop = false;
        bool finished = false;
    };
    static void run(const std::shared_ptr<State>& state);

    std::shared_ptr<State> m_state;
    std::thread m_thread;
};

}  // namespace mgrad::view::detail
