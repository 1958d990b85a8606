// ProgressMeter — how mgrad shows long work (`mgrad train`, `:minimize`): one line of a fixed look,
//
//   [########............]  40/100  loss 0.251062  accuracy 91.0%  812 steps/s  ETA 0:01
//
// a bar of 20 cells, the steps done of all, what the caller watches (the loss), and, when
// timing is on, the rate and the time left. On a terminal the line is redrawn in place (at most
// 25 times a second, and at the last step); elsewhere (a pipe, a log, TERM=dumb) a plain line is
// written every tenth of the way and at the last step; quiet writes nothing. The text goes to a
// function, so the same lines can go to a stream or to a session's Output.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// `[####....]  4/10  detail` and, with `seconds` (the time the done steps took), the rate and
/// the time left. The count is right-aligned to the width of `total`.
[[nodiscard]] MGRAD_API std::string format_progress(std::size_t done, std::size_t total,
                                                    std::string_view detail,
                                                    std::optional<double> seconds = {});

class MGRAD_API ProgressMeter {
  public:
    enum class Mode {
        Quiet,   ///< nothing
        Lines,   ///< a line every tenth of the way and at the last step
        Redraw,  ///< one line redrawn in place (`\r`, erase to the end of the line)
    };
    using Write = std::function<void(std::string_view)>;
    /// Seconds since some fixed point; a test can hand in its own clock.
    using Clock = std::function<double()>;

    /// `timing` adds the rate and the time left (off where output must be reproducible).
    ProgressMeter(std::size_t total, Mode mode, Write write, bool timing = true, Clock clock = {});
    ProgressMeter(const ProgressMeter&) = delete;
    ProgressMeter& operator=(const ProgressMeter&) = delete;
    /// Ends a redrawn line (as finish()).
    ~ProgressMeter();

    /// Whether update(done, …) would write: compute an expensive detail only then.
    [[nodiscard]] bool due(std::size_t done) const;
    /// `done` steps are done (1 … total); writes when due. `detail` is what is watched.
    void update(std::size_t done, std::string_view detail);
    /// Ends a redrawn line with a newline so that what follows starts on a line of its own.
    void finish();

    /// Redraw on a terminal (the file descriptor is a tty and TERM is not "dumb"), else Lines.
    [[nodiscard]] static Mode mode_for(int fd);

  private:
    std::size_t m_total;
    Mode m_mode;
    Write m_write;
    bool m_timing;
    Clock m_clock;
    double m_start = 0;
    double m_last_draw = -1;
    bool m_line_open = false;
};

}  // namespace mgrad
