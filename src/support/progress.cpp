// ProgressMeter lines (see progress.hpp).
#include "mgrad/support/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>

namespace mgrad {
namespace {

constexpr std::size_t bar_cells = 20;
constexpr double redraw_interval = 0.04;  // seconds: 25 redraws a second are smooth enough

std::string bar(std::size_t done, std::size_t total) {
    const std::size_t full = total == 0 ? bar_cells : std::min(done, total) * bar_cells / total;
    std::string out;
    out.reserve(bar_cells + 2);
    out.push_back('[');
    out.append(full, '#');
    out.append(bar_cells - full, '.');
    out.push_back(']');
    return out;
}

std::string rate_text(double steps_per_second) {
    if (steps_per_second >= 10) return fmt::format("{:.0f} steps/s", steps_per_second);
    if (steps_per_second >= 1) return fmt::format("{:.1f} steps/s", steps_per_second);
    return fmt::format("{:.1f} s/step", 1.0 / steps_per_second);
}

std::string duration_text(double seconds) {
    const auto s = static_cast<unsigned long long>(std::llround(seconds));
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    return fmt::format("{}:{:02}", s / 60, s % 60);
}

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string format_progress(std::size_t done, std::size_t total, std::string_view detail,
                            std::optional<double> seconds) {
    std::string line = fmt::format("{} {:>{}}/{}", bar(done, total), done,
                                   fmt::formatted_size("{}", total), total);
    if (!detail.empty()) fmt::format_to(std::back_inserter(line), "  {}", detail);
    if (seconds && *seconds > 0 && done > 0) {
        const double rate = static_cast<double>(done) / *seconds;
        fmt::format_to(std::back_inserter(line), "  {}", rate_text(rate));
        if (done < total)
            fmt::format_to(std::back_inserter(line), "  ETA {}",
                           duration_text(static_cast<double>(total - done) / rate));
    }
    return line;
}

ProgressMeter::ProgressMeter(std::size_t total, Mode mode, Write write, bool timing, Clock clock)
    : m_total(total),
      m_mode(mode),
      m_write(std::move(write)),
      m_timing(timing),
      m_clock(clock ? std::move(clock) : Clock(steady_seconds)) {
    m_start = m_clock();
}

ProgressMeter::~ProgressMeter() {
    try {
        finish();
    } catch (...) {  // a failing write must not end the program from a destructor
    }
}

bool ProgressMeter::due(std::size_t done) const {
    switch (m_mode) {
        case Mode::Quiet: return false;
        case Mode::Lines: {
            const std::size_t every = std::max<std::size_t>(1, (m_total + 9) / 10);
            return done % every == 0 || done == m_total;
        }
        case Mode::Redraw:
            return done == m_total || m_last_draw < 0 || m_clock() - m_last_draw >= redraw_interval;
    }
    return false;
}

void ProgressMeter::update(std::size_t done, std::string_view detail) {
    if (!due(done)) return;
    const double now = m_clock();
    const std::optional<double> seconds =
        m_timing ? std::optional<double>(now - m_start) : std::nullopt;
    const std::string line = format_progress(done, m_total, detail, seconds);
    if (m_mode == Mode::Redraw) {
        m_last_draw = now;
        m_line_open = true;
        m_write("\r\033[K" + line);
    } else {
        m_write(line + "\n");
    }
}

void ProgressMeter::finish() {
    if (!m_line_open) return;
    m_line_open = false;
    m_write("\n");
}

ProgressMeter::Mode ProgressMeter::mode_for(int fd) {
    if (::isatty(fd) != 1) return Mode::Lines;
    const char* term = std::getenv("TERM");
    if (term == nullptr || std::string_view(term).empty() || std::string_view(term) == "dumb")
        return Mode::Lines;
    return Mode::Redraw;
}

}  // namespace mgrad
