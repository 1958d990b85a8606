#include "interrupt.hpp"

namespace mgrad::cli {
namespace {

volatile std::sig_atomic_t g_requested = 0;

extern "C" void on_interrupt(int) { g_requested = 1; }

}  // namespace

InterruptGuard::InterruptGuard() noexcept {
    g_requested = 0;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // One-shot: the handler resets to the default, so a second Ctrl-C (work that does not
    // return to poll the flag) still ends the process.
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &action, &m_previous);
}

InterruptGuard::~InterruptGuard() { sigaction(SIGINT, &m_previous, nullptr); }

bool InterruptGuard::requested() const noexcept { return g_requested != 0; }

}  // namespace mgrad::cli
