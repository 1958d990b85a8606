"""Helpers for the live view's tests: a running mgrad, its page over HTTP, headless Chromium.

Run with Debian's /usr/bin/python3 (Selenium is python3-selenium). A missing browser, driver or
Selenium is a failure, never a skip: scripts/deps.sh installs them.
"""
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

TIMEOUT = 20.0


def fail(message):
    sys.exit(f"FAIL: {message}")


def check(condition, message):
    if not condition:
        fail(message)


class Mgrad:
    """mgrad with the view, its standard streams as pipes."""

    def __init__(self, binary, args=("--view", "-i"), cwd=None, env=None, stdin=subprocess.PIPE):
        self.binary = binary
        self.proc = subprocess.Popen(
            [binary, *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=cwd, env=env)
        self.out = b""
        self.err = b""
        self._err_lock = threading.Lock()
        self._err_thread = threading.Thread(target=self._drain_err, daemon=True)
        self._err_thread.start()
        self.url = self.wait_err(r"view: (http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]+))").group(1)
        m = re.match(r"(http://127\.0\.0\.1:(\d+))/\?token=([0-9a-f]+)", self.url)
        self.base, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)

    def _drain_err(self):
        while True:
            chunk = os.read(self.proc.stderr.fileno(), 4096)
            if not chunk:
                return
            with self._err_lock:
                self.err += chunk

    def stderr(self):
        with self._err_lock:
            return self.err.decode(errors="replace")

    def wait_err(self, pattern, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.stderr())
            if m:
                return m
            if self.proc.poll() is not None and not re.search(pattern, self.stderr()):
                time.sleep(0.1)
                fail(f"mgrad ended before {pattern!r} on stderr:\n{self.stderr()}")
            time.sleep(0.02)
        fail(f"{pattern!r} did not appear on stderr:\n{self.stderr()}")

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def read_until(self, text, timeout=TIMEOUT):
        """Reads stdout until `text` has appeared since the last call; returns what came before."""
        data = text.encode()
        deadline = time.monotonic() + timeout
        while data not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"{text!r} did not appear on stdout; it shows:\n{self.out.decode(errors='replace')}"
                     f"\nstderr:\n{self.stderr()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    fail(f"mgrad ended before {text!r}:\n{self.out.decode(errors='replace')}"
                         f"\nstderr:\n{self.stderr()}")
                self.out += chunk
        before, _, self.out = self.out.partition(data)
        return before.decode(errors="replace")

    def request(self, path, body=None, headers=None, token=True):
        """(status, body text) of GET `path` (or POST of the JSON `body`)."""
        url = self.base + path
        if token:
            url += ("&" if "?" in path else "?") + "token=" + self.token
        data = None if body is None else json.dumps(body).encode()
        h = dict(headers or {})
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=data, headers=h, method="POST" if data else "GET")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def frame(self):
        status, text = self.request("/api/frame")
        return json.loads(text) if status == 200 else None

    def wait_frame(self, accept, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.frame()
            if last is not None and accept(last):
                return last
            time.sleep(0.02)
        fail(f"no frame {what}; the last one: {json.dumps(last)[:2000]}")

    def finish(self, expect_status=0, close_stdin=True):
        """Ends mgrad (end of input), checks its status and that no sanitizer complained."""
        if close_stdin and self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail(f"mgrad did not end; stderr:\n{self.stderr()}")
        self._err_thread.join(timeout=5)
        self.out += self.proc.stdout.read()
        check_clean(self.stderr())
        check(self.proc.returncode == expect_status,
              f"mgrad exited with {self.proc.returncode}, not {expect_status}; stderr:\n{self.stderr()}")


def check_clean(stderr):
    for word in ("ThreadSanitizer", "AddressSanitizer", "runtime error", "LeakSanitizer"):
        check(word not in stderr, f"a sanitizer reported a problem:\n{stderr}")


def browser(width=1400, height=900):
    """A headless Chromium through chromedriver, or a failure that says what is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        fail("Selenium is missing: install python3-selenium (scripts/deps.sh does) and run the "
             "tests with /usr/bin/python3")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver"
                                              if os.path.exists("/usr/bin/chromedriver") else None)
    check(chromium, "Chromium is missing: install chromium (scripts/deps.sh does)")
    check(driver, "chromedriver is missing: install chromium-driver (scripts/deps.sh does)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="mgrad-view-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    try:
        d = webdriver.Chrome(service=Service(driver), options=options)
    except Exception as e:  # noqa: BLE001 - say what went wrong, whatever it is
        fail(f"cannot start headless Chromium: {e}")
    d.set_script_timeout(30)
    d._mgrad_profile = profile
    return d


def close_browser(d):
    try:
        d.quit()
    finally:
        shutil.rmtree(getattr(d, "_mgrad_profile", ""), ignore_errors=True)


def wait_js(d, script, what, timeout=TIMEOUT, *args):
    """Polls a JavaScript expression (a function body that returns a value) until it is truthy."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = d.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.03)
    try:
        logs = d.get_log("browser")
    except Exception:  # noqa: BLE001
        logs = []
    state = d.execute_script("return JSON.stringify(window.mgradView)")
    texts = d.execute_script(NODE_TEXTS)
    fail(f"the page never showed {what} (last: {value!r}; view {state}; console {logs}; "
         f"nodes {texts})")


SVG_TEXT = "const s = document.querySelector('#stage svg'); return s ? s.textContent : '';"

NODE_TEXTS = """
const out = {};
for (const g of document.querySelectorAll('#stage svg g.node')) {
  const title = g.querySelector('title').textContent;
  out[title] = [...g.querySelectorAll('text')].map(t => t.textContent);
}
return out;
"""
