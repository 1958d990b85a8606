#!/usr/bin/env python3
"""A real headless Chromium on the playground's static site, served by a local static server.

    browser.py SITE_DIR

Checks, as the issue asks: the lecture's statements typed into the console give a graph whose
SVG shows `data -8.0000` and the gradients; the backward pass steps; a leaf edited in the page
runs `:set` (the console shows its table) and repaints; `:plot` draws in the page; a share link
replays the session; the console completes with Tab, recalls with ↑, continues a line that ends
after an operator, shows an error with its caret and offers a written file as a download; the
page works from file:// too; and no request leaves the page's origin. With
MGRAD_PAGE_SCREENSHOTS=DIR it saves the documentation's screenshots (desktop and phone width).
"""
import functools
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "view"))
from harness import SVG_TEXT, check, fail  # noqa: E402

SITE = ""
SHOTS = os.environ.get("MGRAD_PAGE_SCREENSHOTS")
TIMEOUT = 30


class Quiet(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, *args):
        Quiet.requests.append(self.path)


def serve():
    global SITE
    SITE = os.path.abspath(sys.argv[1])
    handler = functools.partial(Quiet, directory=SITE)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser(width, height):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="mgrad-page-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--allow-file-access-from-files",
                f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    # Every request the page makes, from Chromium's own network log.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        d = webdriver.Chrome(service=Service(driver), options=options)
    except Exception as e:  # noqa: BLE001
        fail(f"cannot start headless Chromium: {e}")
    d.set_script_timeout(60)
    d._profile = profile
    return d


def close(d):
    try:
        d.quit()
    finally:
        shutil.rmtree(d._profile, ignore_errors=True)


def wait_js(d, script, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = d.execute_script(script)
        if value:
            return value
        time.sleep(0.03)
    log = d.execute_script("return document.querySelector('#console-log').innerText")
    fail(f"the page never showed {what} (last: {value!r}); the console:\n{log[-3000:]}")


def requested_urls(d):
    urls = []
    for entry in d.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def ready(d):
    wait_js(d, "return window.mgradPlayground && window.mgradPlayground.replayed", "the session ready")


def type_entry(d, text):
    """Types lines into the console as a person does: each line, then Enter."""
    from selenium.webdriver.common.keys import Keys
    box = d.find_element("id", "console-input")
    for line in text.split("\n"):
        box.send_keys(line)
        box.send_keys(Keys.ENTER)


def console_text(d):
    return d.execute_script("return document.querySelector('#console-log').innerText")


def svg_has(d, *words):
    script = SVG_TEXT.replace("return s ? s.textContent : '';",
                              "const t = s ? s.textContent : ''; return " +
                              " && ".join(f"t.includes({json.dumps(w)})" for w in words) + ";")
    wait_js(d, script, " and ".join(words))


def shot(d, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        time.sleep(0.5)
        d.save_screenshot(os.path.join(SHOTS, name))


def lecture(d):
    type_entry(d, "a = 2.0\nb = -3.0\nc = 10.0\nf = -2.0\nL = (a*b + c) * f\n:backward L")
    svg_has(d, "data -8.0000", "grad 6.0000", "grad -4.0000", "grad 4.0000")
    log = console_text(d)
    check("<console>" not in log, f"the lecture's statements gave an error:\n{log}")


def main():
    server = serve()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    d = browser(1400, 900)
    try:
        d.get(origin + "/")
        ready(d)
        lecture(d)
        ids = d.execute_script("const f = {}; for (const g of document.querySelectorAll('#stage svg g.node'))"
                               " { const t = g.querySelector('title').textContent; const k = g.querySelector('text');"
                               " if (t.startsWith('v')) f[k ? k.textContent : t] = Number(t.slice(1)); } return f;")
        check("a" in ids and "L" in ids, f"the SVG's values are {ids}")

        # The backward pass, one step at a time: the last step leaves :backward's gradients.
        d.find_element("id", "step-start").click()
        n = int(wait_js(d, "const c = document.querySelector('#step-count').textContent;"
                           " return c.startsWith('step 0 of') ? c.split(' ').pop() : ''", "the stepper"))
        check(n == 6, f"the pass of L has {n} steps, not 6")
        body = d.find_element("tag name", "body")
        from selenium.webdriver.common.keys import Keys
        for _ in range(3):
            body.send_keys(Keys.ARROW_RIGHT)
        text = wait_js(d, "const c = document.querySelector('#step-count').textContent;"
                          " return c === 'step 3 of 6' ? document.querySelector('#step-text').textContent : ''",
                       "step 3 of 6")
        check(".grad" in text, f"step 3 says {text!r}")
        shot(d, "desktop.png")
        body.send_keys(Keys.END)
        wait_js(d, "return document.querySelector('#step-count').textContent === 'step 6 of 6'", "the last step")
        check("grad 6.0000" in d.execute_script(
            f"return document.querySelector(\"#stage svg g.node[data-id='{ids['a']}']\").textContent"),
            "after the last step a's box does not show grad 6.0000")
        body.send_keys(Keys.ESCAPE)

        # What if: a leaf set in the inspector runs :set in the session; the console shows it.
        d.execute_script("const p = document.querySelector(`#stage svg g.node[data-id='${arguments[0]}'] path, "
                         "#stage svg g.node[data-id='${arguments[0]}'] polygon`);"
                         "for (const t of ['pointerdown', 'pointerup'])"
                         " p.dispatchEvent(new PointerEvent(t, {bubbles: true, button: 0, pointerId: 1}));", ids["a"])
        wait_js(d, "return !document.querySelector('#in-whatif').hidden", "the what-if field of a")
        field = d.find_element("id", "whatif-value")
        field.clear()
        field.send_keys("3")
        field.send_keys(Keys.ENTER)
        wait_js(d, "return document.querySelector('#console-log').innerText.includes(':set a 3')", ":set a 3")
        svg_has(d, "data -2.0000")
        check("a: 2 → 3" in console_text(d) or "2 → 3" in console_text(d),
              f":set's table is not in the console:\n{console_text(d)[-800:]}")

        # :plot is drawn in the page.
        type_entry(d, ":plot 3*x**2 - 4*x + 5 x=-2..3")
        wait_js(d, "return document.querySelectorAll('#console-log figure svg.plot path.series').length === 2",
                "the plot's two curves")

        # The console: Tab, history, continuation, an error with its caret, a download.
        box = d.find_element("id", "console-input")
        box.send_keys(":backw")
        box.send_keys(Keys.TAB)
        check(box.get_attribute("value") == ":backward ", f"Tab gave {box.get_attribute('value')!r}")
        box.send_keys("L")
        box.send_keys(Keys.ENTER)
        box.send_keys(Keys.ARROW_UP)
        check(box.get_attribute("value") == ":backward L", f"↑ gave {box.get_attribute('value')!r}")
        box.clear()
        type_entry(d, "y = (a +\n1) * 2\ny")
        wait_js(d, "return document.querySelector('#console-log').innerText.includes('y = 8  (grad 0)')",
                "y = 8 after a line continued with ...")
        check("... 1) * 2" in console_text(d), "the continued line has no ... prompt")
        type_entry(d, "z = a +* 2")
        wait_js(d, "const e = [...document.querySelectorAll('#console-log pre.diag.error')].pop();"
                   " return e && e.textContent.includes('^')", "an error with its caret")
        type_entry(d, ":save lesson.mg")
        link = wait_js(d, "const a = [...document.querySelectorAll('#console-log a.download')].pop();"
                          " return a && a.download", "the download link of lesson.mg")
        check(link == "lesson.mg", f"the download is {link!r}")

        # What the page cannot do says so.
        type_entry(d, ":draw L L.png")
        wait_js(d, "const e = [...document.querySelectorAll('#console-log pre.diag.error')].pop();"
                   " return e && e.textContent.includes('PNG and PDF need the mgrad program')",
                "why :draw L L.png cannot work here")
        # A script dropped on the page is among its files and loaded.
        d.execute_script("const t = new DataTransfer();"
                         " t.items.add(new File(['dropped = 42\\n'], 'dropped.mg'));"
                         " document.dispatchEvent(new DragEvent('drop', {dataTransfer: t, bubbles: true}));")
        wait_js(d, "return document.querySelector('#console-log').innerText.includes('>>> :load dropped.mg')",
                "the dropped script loaded")
        type_entry(d, "dropped")
        wait_js(d, "return document.querySelector('#console-log').innerText.includes('dropped = 42  (grad 0)')",
                "the dropped script's value")

        # Share: the link carries the statements; opening it replays them.
        d.find_element("id", "share").click()
        shared = wait_js(d, "return window.mgradPlayground.shared", "a share link")
        check("#s=" in shared, f"the share link is {shared}")
        d.get("about:blank")
        d.get(shared)
        ready(d)
        check(">>> y = (a +" in console_text(d), "the shared link did not replay y")
        check(">>> dropped = 42" in console_text(d), "the shared link did not replay the dropped script")
        svg_has(d, "data 42.0000")  # the graph follows the newest value, the dropped script's
        type_entry(d, ":view L")
        svg_has(d, "data -2.0000", "grad 6.0000")

        # Nothing left the origin.
        # What could leave the machine (not data:, blob:, nor the browser's own chrome:// pages).
        urls = [u for u in requested_urls(d) if u.split(":")[0] in ("http", "https", "ws", "wss")]
        foreign = [u for u in urls if not u.startswith(origin + "/")]
        check(urls, "no request was seen at all")
        check(not foreign, f"requests left the origin: {foreign}")
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        check(not errors, f"the page logged errors: {errors}")
    finally:
        close(d)

    # A phone: the console below the graph, both usable.
    d = browser(500, 900)
    try:
        # A phone's screen (headless Chromium's window is at least 500 pixels wide).
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        d.get(origin + "/")
        ready(d)
        lecture(d)
        top = d.execute_script("return [document.querySelector('#canvas').getBoundingClientRect().top,"
                               " document.querySelector('#console').getBoundingClientRect().top]")
        check(top[0] < top[1], f"on a phone the console is not below the graph: {top}")
        width = d.execute_script("return document.documentElement.scrollWidth")
        check(width <= 390, f"on a phone the page is {width} pixels wide, wider than the screen")
        d.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
        shot(d, "phone.png")
        # Offline: with the server gone, the loaded page goes on.
        server.shutdown()
        type_entry(d, ":set a 5")
        svg_has(d, "data 10.0000")
    finally:
        close(d)

    # From a folder (file://), with no server at all.
    d = browser(1200, 800)
    try:
        d.get("file://" + os.path.join(SITE, "index.html"))
        ready(d)
        lecture(d)
        # Every lesson of the examples menu runs without an error.
        count = d.execute_script("return document.querySelector('#examples').options.length - 1")
        check(count >= 8, f"the examples menu has {count} lessons")
        for i in range(count):
            d.execute_script("const s = document.querySelector('#examples'); s.value = arguments[0];"
                             " s.dispatchEvent(new Event('change'));", str(i))
        log = console_text(d)
        at = log.find("error:")
        check(at < 0, f"a lesson gave an error:\n{log[max(0, at - 1500):at + 500]}")
        check("\n14\n" in log, "the parabola's lesson did not give its slope of 14")
    finally:
        close(d)
    print("the playground works: lecture, stepper, what-if, plot, console, share, phone, file://")


if __name__ == "__main__":
    main()
