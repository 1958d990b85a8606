// Ctrl-C during long work of the command line (`mgrad train`): the first SIGINT only sets a
// flag the work polls between steps; a second one ends the process as usual.
#pragma once

#include <csignal>

namespace mgrad::cli {

/// The exit status after an interrupt, as a shell reports a process killed by SIGINT.
inline constexpr int exit_interrupted = 128 + SIGINT;

/// Installs the handler for its lifetime and puts the previous one back.
class InterruptGuard {
  public:
    InterruptGuard() noexcept;
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
    ~InterruptGuard();

    /// True once Ctrl-C was pressed.
    [[nodiscard]] bool requested() const noexcept;

  private:
    struct sigaction m_previous {};
};

}  // namespace mgrad::cli
