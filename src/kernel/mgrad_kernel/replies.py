"""Every request gets its reply, and an interrupt at any moment ends the cell with one.

ipykernel sends no reply when a request handler raises (it logs the exception), and a front end
then waits for good: a request missing a field the handler reads (`code`, `cursor_pos`,
`silent`), content of the wrong type, a cell holding a lone surrogate (JSON's `\\ud800`, which
ipykernel cannot echo back as execute_input), or an interrupt (SIGINT) that lands in ipykernel's
own code around the cell, where it raises KeyboardInterrupt. RepliesKernel, a base of the
mgrad kernel, closes each of these:

- every request handler runs under a guard that sends an error reply of the request's type when
  the handler sent none;
- the cell's echo (execute_input) carries U+FFFD where the code has a lone surrogate;
- SIGINT never raises in the kernel's Python code: a handler notes when it came. A cell it came
  for — while the cell was handled, while it waited in the queue, or an instant before it
  arrived — ends at once with a KeyboardInterrupt reply if its run has not begun; during the
  run mgrad.Session handles SIGINT itself (the session's interrupt flag, polled by
  `:minimize`); an interrupt while the kernel is idle, with no cell following it, is dropped.
"""

from __future__ import annotations

import inspect
import signal
import threading
import time
from typing import Any, Callable, Dict, Optional

from ipykernel.kernelbase import Kernel

# How long before a request reaches the kernel an interrupt may come and still be the request's
# (Jupyter's front ends send the request, then the interrupt; the signal is quicker).
OVERTAKE = 0.2


def sendable(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (jupyter_client encodes messages as
    UTF-8, which has no surrogates)."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class _Watched:
    """The stream a handler replies on, noting whether it sent anything."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.sent = False

    def send_multipart(self, *args: Any, **kwargs: Any) -> Any:
        self.sent = True
        return self._stream.send_multipart(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class RepliesKernel(Kernel):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for handlers in (self.shell_handlers, self.control_handlers):
            for msg_type, handler in list(handlers.items()):
                if msg_type.endswith("_request"):
                    handlers[msg_type] = self._guarded(msg_type, handler)
        self._interrupt_at: Optional[float] = None  # when SIGINT came (monotonic), not yet used
        self._arrived = time.monotonic()  # when the request being handled reached the kernel
        self._scheduled_arrival: Optional[float] = None
        self._on_interrupt: Optional[Callable[[], None]] = None
        self._listen_for_interrupts()

    # --- replies --------------------------------------------------------------------------

    def _guarded(self, msg_type: str, handler: Callable) -> Callable:
        reply_type = msg_type.replace("_request", "_reply")

        async def guarded(stream: Any, ident: Any, parent: Dict) -> None:
            watched = _Watched(stream)
            failure = "the request's content is not what the protocol says"
            try:
                result = handler(watched, ident, parent)
                if inspect.isawaitable(result):
                    await result
            except Exception as e:  # noqa: BLE001 - any failure still gets its reply
                self.log.error("Exception in %s:", msg_type, exc_info=True)
                failure = f"{type(e).__name__}: {e}"
            if watched.sent:
                return
            content = {"status": "error", "ename": "RequestError", "evalue": sendable(failure),
                       "traceback": [sendable(failure)]}
            if msg_type == "execute_request":
                content["execution_count"] = self.execution_count
            self.session.send(stream, reply_type, content, parent, ident)

        return guarded

    def _publish_execute_input(self, code: Any, parent: Dict, execution_count: int) -> None:
        if isinstance(code, str):
            code = sendable(code)
        super()._publish_execute_input(code, parent, execution_count)

    # --- interrupts -----------------------------------------------------------------------

    def _listen_for_interrupts(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._note_interrupt)

    def _note_interrupt(self, signum: int, frame: Any) -> None:
        if self._on_interrupt is not None:  # a cell is about to run: it takes the interrupt
            self._interrupt_at = None
            self._on_interrupt()
        else:
            self._interrupt_at = time.monotonic()

    def schedule_dispatch(self, dispatch: Callable, *args: Any) -> None:
        # When each shell request reached the kernel: an interrupt that came after it arrived
        # is its interrupt, even before it is handled.
        if dispatch == self.dispatch_shell:
            arrived = time.monotonic()

            async def dispatch_shell(*a: Any) -> None:
                self._scheduled_arrival = arrived
                await dispatch(*a)

            super().schedule_dispatch(dispatch_shell, *args)
        else:
            super().schedule_dispatch(dispatch, *args)

    def pre_handler_hook(self) -> None:
        # ipykernel's would make SIGINT raise KeyboardInterrupt anywhere in its own code.
        self._listen_for_interrupts()
        self._arrived = (self._scheduled_arrival if self._scheduled_arrival is not None
                         else time.monotonic())
        self._scheduled_arrival = None

    def post_handler_hook(self) -> None:
        self._listen_for_interrupts()

    def interrupted(self) -> bool:
        """Whether an interrupt came for the request being handled: while it was handled, while
        it waited, or up to OVERTAKE seconds before it arrived (a front end sends the interrupt
        just after the request, and the signal can overtake the message). Each interrupt ends
        one request at most; one while the kernel was idle and no request followed is dropped."""
        at = self._interrupt_at
        if at is None or at < self._arrived - OVERTAKE:
            return False
        self._interrupt_at = None
        return True

    def while_running(self, interrupt: Callable[[], None]):
        """A context in which a SIGINT that reaches the kernel's handler (rather than the
        session's, which takes over once its run has begun) calls `interrupt`, now and again a
        moment later: the session's run clears its flag as it begins, so a signal in the few
        instructions before that must reach it after."""
        kernel = self

        def late_too() -> None:
            interrupt()
            timer = threading.Timer(0.05, interrupt)
            timer.daemon = True
            timer.start()

        class Running:
            def __enter__(self) -> None:
                kernel._on_interrupt = late_too

            def __exit__(self, *exc: Any) -> None:
                kernel._on_interrupt = None

        return Running()
