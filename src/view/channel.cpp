#include "channel.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad::view::detail {

Channel::Channel() : m_wakeup(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (m_wakeup < 0)
        throw Error(fmt::format("the view cannot make an eventfd: {}", std::strerror(errno)));
}

Channel::~Channel() { ::close(m_wakeup); }

Channel::Posted Channel::post(Job job) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped) return Posted::Stopped;
        if (m_jobs.size() >= max_jobs) return Posted::Full;
        m_jobs.push_back(std::move(job));
    }
    const std::uint64_t one = 1;
    // A full counter (never, at 2^64 - 1) or EAGAIN still leaves the fd readable.
    (void)!::write(m_wakeup, &one, sizeof one);
    return Posted::Queued;
}

std::vector<Job> Channel::take_jobs() {
    std::uint64_t count = 0;
    (void)!::read(m_wakeup, &count, sizeof count);  // EAGAIN when nothing was posted
    std::lock_guard lock(m_mutex);
    std::vector<Job> jobs(std::make_move_iterator(m_jobs.begin()),
                          std::make_move_iterator(m_jobs.end()));
    m_jobs.clear();
    return jobs;
}

void Channel::publish(std::string text) {
    {
        std::lock_guard lock(m_mutex);
        m_frame.number += 1;
        m_frame.text = std::make_shared<const std::string>(std::move(text));
    }
    m_changed.notify_all();
}

std::optional<Frame> Channel::latest() const {
    std::lock_guard lock(m_mutex);
    if (m_frame.number == 0) return std::nullopt;
    return m_frame;
}

std::optional<Frame> Channel::wait(std::uint64_t seen, std::uint64_t status_seen,
                                   std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] {
        return m_stopped || m_frame.number > seen || m_status_number != status_seen;
    });
    if (m_stopped || m_frame.number <= seen) return std::nullopt;
    return m_frame;
}

void Channel::set_status(std::string text) {
    {
        std::lock_guard lock(m_mutex);
        m_status = std::move(text);
        ++m_status_number;
    }
    m_changed.notify_all();
}

std::pair<std::uint64_t, std::string> Channel::status() const {
    std::lock_guard lock(m_mutex);
    return {m_status_number, m_status};
}

bool Channel::open_stream() {
    std::lock_guard lock(m_mutex);
    if (m_stopped || m_streams >= max_streams) return false;
    ++m_streams;
    return true;
}

void Channel::close_stream() {
    std::lock_guard lock(m_mutex);
    --m_streams;
}

std::size_t Channel::streams() const {
    std::lock_guard lock(m_mutex);
    return m_streams;
}

void Channel::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
        m_jobs.clear();
    }
    m_changed.notify_all();
}

bool Channel::stopped() const {
    std::lock_guard lock(m_mutex);
    return m_stopped;
}

}  // namespace mgrad::view::detail
