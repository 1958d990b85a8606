#include "layout_thread.hpp"

#include <chrono>
#include <string>

#include "mgrad/support/error.hpp"

namespace mgrad::view::detail {

namespace {

/// Graphviz's SVG without the XML prolog, DOCTYPE and comments before the <svg> element: the page
/// puts it straight into its DOM.
std::string svg_element(const std::string& svg) {
    const auto start = svg.find("<svg");
    return start == std::string::npos ? svg : svg.substr(start);
}

}  // namespace

LayoutThread::LayoutThread(std::shared_ptr<Channel> channel) : m_state(std::make_shared<State>()) {
    m_state->channel = std::move(channel);
    m_thread = std::thread([state = m_state] { run(state); });
}

LayoutThread::~LayoutThread() { (void)stop(std::chrono::hours(24)); }

void LayoutThread::submit(std::optional<Drawing> drawing, nlohmann::json fields) {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->pending = Work{std::move(drawing), std::move(fields)};
    }
    m_state->wake.notify_one();
}

bool LayoutThread::stop(std::chrono::milliseconds wait) {
    if (!m_thread.joinable()) return true;
    std::unique_lock lock(m_state->mutex);
    m_state->stop = true;
    m_state->pending.reset();
    m_state->wake.notify_one();
    if (!m_state->done.wait_for(lock, wait, [&] { return m_state->finished; })) {
        lock.unlock();
        m_thread.detach();  // it holds its own reference to everything it touches
        return false;
    }
    lock.unlock();
    m_thread.join();
    return true;
}

void LayoutThread::run(const std::shared_ptr<State>& state) {
    using Clock = std::chrono::steady_clock;
    for (;;) {
        Work work;
        {
            std::unique_lock lock(state->mutex);
            state->wake.wait(lock, [&] { return state->stop || state->pending; });
            if (state->stop) break;
            work = std::move(*state->pending);
            state->pending.reset();
        }
        if (work.drawing) {
            const auto start = Clock::now();
            state->channel->set_status(nlohmann::json{
                {"layout", "started"},
                {"values", work.drawing->values().size()},
                {"seq", work.fields.value(
                            "seq", 0)}}.dump());
            try {
                work.fields["svg"] = svg_element(render(*work.drawing, Format::Svg));
            } catch (const std::exception& e) {
                work.fields["message"] = {{"kind", "error"},
                                          {"text", std::string("cannot draw: ") + e.what()}};
            }
            work.fields["layout_ms"] =
                std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        }
        work.fields["published_at_ms"] = std::chrono::duration<double, std::milli>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count();
        // Labels are the user's bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
        state->channel->publish(
            work.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    std::lock_guard lock(state->mutex);
    state->finished = true;
    state->done.notify_all();
}

}  // namespace mgrad::view::detail
