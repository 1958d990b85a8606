"""mgrad's REPL in a pseudo-terminal, driven as a person at a terminal would: the tests of the
line editor, of Ctrl-C and of the live view share it.

    repl = PtyRepl(MGRAD, work_dir)            # mgrad started in work_dir, its state there too
    repl.expect(">>> ")                         # what came before the prompt, as text
    repl.send("a = 2\\r")
    repl.send("\\x04"); assert repl.wait() == 0  # Ctrl-D, then the exit status
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def fail(message, screen=b""):
    """Ends the test with a message and what the terminal showed."""
    sys.exit(f"FAIL: {message}\n{screen.decode(errors='replace')}" if screen else
             f"FAIL: {message}")


class PtyRepl:
    """`mgrad ARGS` on a terminal of `rows` lines, started in `work` (also its XDG_STATE_HOME,
    so the history stays there), without colour unless `env` asks for it."""

    def __init__(self, mgrad, work, args=(), rows=24, timeout=10.0, environment=None, **env):
        """`environment`, when given, is the whole environment (`env` then changes it)."""
        if environment is None:
            environment = dict(os.environ, TERM="xterm", XDG_STATE_HOME=work, LC_ALL="C.UTF-8",
                               NO_COLOR="1")
        else:
            environment = dict(environment)
        for name, value in env.items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        self.timeout = timeout
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            # The terminal's size, set before mgrad asks for it.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
            os.chdir(work)
            os.execve(mgrad, [mgrad, *args], environment)
        self.buffer = b""      # read but not yet consumed by expect()
        self.transcript = b""  # everything the terminal showed

    def _read(self, wait):
        ready, _, _ = select.select([self.fd], [], [], max(0.0, wait))
        if not ready:
            return None
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:
            chunk = b""
        self.buffer += chunk
        self.transcript += chunk
        return chunk

    def expect(self, text, what=None, timeout=None):
        """Reads until `text` has appeared since the last expect; returns what came before."""
        data = text.encode()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while data not in self.buffer:
            left = deadline - time.monotonic()
            chunk = self._read(left) if left > 0 else None
            if chunk is None and time.monotonic() >= deadline:
                fail(f"{what or repr(text)} did not appear; the terminal shows:", self.buffer)
            if chunk == b"":
                fail(f"the REPL ended before {text!r}:", self.buffer)
        before, _, self.buffer = self.buffer.partition(data)
        return before.decode(errors="replace")

    def read_to_end(self, interrupt_after=None):
        """Reads until the program closes the terminal, typing Ctrl-C once `interrupt_after`
        has appeared; returns (exit status, everything the terminal showed). Kills it after the
        timeout."""
        sent = False
        deadline = time.monotonic() + self.timeout
        while True:
            if interrupt_after and not sent and interrupt_after.encode() in self.transcript:
                os.write(self.fd, b"\x03")
                sent = True
            chunk = self._read(deadline - time.monotonic())
            if chunk is None:
                os.kill(self.pid, signal.SIGKILL)
                break
            if chunk == b"":
                break
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status), self.transcript.decode(errors="replace")

    def send(self, keys):
        os.write(self.fd, keys.encode())
        time.sleep(0.05)  # let libedit redraw before the next keys, as a typist would

    def wait(self):
        """The exit status once mgrad has ended (after Ctrl-D, say); fails after the timeout."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            if self._read(0.05) == b"":
                time.sleep(0.05)  # the terminal closed; the process is ending
        fail("mgrad did not exit", self.buffer)
