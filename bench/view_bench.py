#!/usr/bin/env python3
"""The live view's figures (docs/performance.md, "The live view"): update latency from a
statement to the repainted SVG in headless Chromium, the server's memory, and startup.

    /usr/bin/python3 bench/view_bench.py MGRAD [latency] [memory] [startup BASELINE_MGRAD]

latency: a sum of products with about 10, 100 and 1,000 values drawn (`s_i = s_(i-1) + x_i*y_i`);
  each sample writes `:set x0 V` to mgrad's standard input and waits for the page to paint the
  new picture (two animation frames after the DOM changed, stamped by the page). Median, 90th
  percentile, and the layout's share (Graphviz, on the view's own thread).
memory: VmRSS of mgrad without the view, with the view and no page, and with 3 pages open (tabs
  of one Chromium) after 10 updates; and its thread count.
startup: `mgrad -c 1`, this build against BASELINE_MGRAD (e.g. a build of main), alternating,
  300 runs each; median and 10th percentile of the wall time.
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "view"))
from harness import Mgrad, browser, close_browser, wait_js  # noqa: E402

MGRAD = os.path.abspath(sys.argv[1])
modes = sys.argv[2:] or ["latency", "memory"]


def sum_of_products(terms):
    lines = ["x0 = 0.5; y0 = -1.5", "s0 = x0*y0"]
    for i in range(1, terms):
        lines.append(f"x{i} = {0.1 * (i % 7) - 0.3:.1f}; y{i} = {0.2 * (i % 5) - 0.4:.1f}")
        lines.append(f"s{i} = s{i - 1} + x{i}*y{i}")
    lines.append(f"L = s{terms - 1} * 1")
    lines.append(":backward L")
    return "\n".join(lines) + "\n"


def drain(m):
    """Reads mgrad's standard output in the background (each :set prints a table)."""
    def run():
        while os.read(m.proc.stdout.fileno(), 65536):
            pass
    threading.Thread(target=run, daemon=True).start()


WAIT_PAINT = """
const [before, done] = arguments;
const t = setInterval(() => {
  if (window.mgradView.paintedSeq > before) {
    clearInterval(t);
    done([window.mgradView.paintedSeq, window.mgradView.paintedAt]);
  }
}, 1);
"""


def latency():
    print("== update latency: statement -> repainted SVG in headless Chromium ==")
    print("(medians: 'to frame' from writing the statement to the frame's start; 'compose' reading the")
    print(" session; 'layout' Graphviz on the view's thread; 'to paint' from publishing to the paint,")
    print(" of which 'script' is the page's JavaScript; the rest is the event stream, the browser's")
    print(" style, layout and paint)")
    print(f"{'values':>7} {'samples':>7} {'median':>9} {'p90':>9} {'min':>9} {'max':>9} "
          f"{'layout':>16} {'to frame':>11} {'compose':>10} {'to paint':>11} {'script':>10}")
    for terms, samples in ((3, 25), (25, 25), (250, 9)):
        m = Mgrad(MGRAD, ["--view", "-i", "--max-nodes", "0"])
        drain(m)
        m.send(":view max-nodes=5000\n" + sum_of_products(terms))
        frame = m.wait_frame(lambda f: f.get("name") == "L" and "svg" in f
                             and f["options"]["max_nodes"] == 5000, "of L", timeout=120)
        values = len(frame["nodes"])
        d = browser()
        try:
            d.get(m.url)
            wait_js(d, "return window.mgradView.paintedSeq", "a first picture", timeout=120)
            times, layouts, made, composed, published, script = [], [], [], [], [], []
            for k in range(samples):
                before = d.execute_script("return window.mgradView.paintedSeq")
                time.sleep(0.3)
                t0 = time.time()
                m.send(f":set x0 {1 + k * 0.25}\n")
                _, painted = d.execute_async_script(WAIT_PAINT, before)
                times.append(painted - t0 * 1000.0)
                f = m.frame()
                layouts.append(f.get("layout_ms", 0.0))
                made.append(f["made_at_ms"] - t0 * 1000.0)
                composed.append(f["compose_ms"])
                published.append(painted - f["published_at_ms"])
                script.append(d.execute_script("return window.mgradView.scriptMs"))
            times.sort()
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            print(f"{values:>7} {samples:>7} {statistics.median(times):>7.1f}ms {p90:>7.1f}ms "
                  f"{times[0]:>7.1f}ms {times[-1]:>7.1f}ms {statistics.median(layouts):>14.1f}ms "
                  f"{statistics.median(made):>9.1f}ms {statistics.median(composed):>8.1f}ms "
                  f"{statistics.median(published):>9.1f}ms {statistics.median(script):>8.1f}ms")
        finally:
            close_browser(d)
        m.finish()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["Threads"])


def memory():
    print("== memory of mgrad (VmRSS), the lecture's graph plus a 100-value sum ==")
    script = "a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d * f\n:backward L\n" + \
        sum_of_products(25)
    plain = subprocess.Popen([MGRAD, "-i"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    plain.stdin.write(script.encode())
    plain.stdin.flush()
    time.sleep(2)
    base, base_threads = rss_kib(plain.pid)
    plain.stdin.close()
    plain.wait()
    m = Mgrad(MGRAD, ["--view", "-i"])
    drain(m)
    m.send(script)
    # The sum rebinds L, so the view names its graph L#2.
    m.wait_frame(lambda f: f.get("name") == "L#2" and "svg" in f and len(f["nodes"]) > 90,
                 "of L#2")
    time.sleep(1)
    idle, idle_threads = rss_kib(m.proc.pid)
    d = browser()
    try:
        d.get(m.url)
        for _ in range(2):
            d.switch_to.new_window("tab")
            d.get(m.url)
        for handle in d.window_handles:
            d.switch_to.window(handle)
            wait_js(d, "return window.mgradView.paintedSeq", "a picture in each page")
        for k in range(10):
            m.send(f":set x0 {k}\n")
            time.sleep(0.3)
        time.sleep(1)
        pages, pages_threads = rss_kib(m.proc.pid)
    finally:
        close_browser(d)
    m.finish()
    print(f"mgrad -i, no view:            {base / 1024:6.1f} MiB, {base_threads} thread(s)")
    print(f"mgrad --view, no page open:   {idle / 1024:6.1f} MiB, {idle_threads} threads "
          f"(+{(idle - base) / 1024:.1f} MiB)")
    print(f"mgrad --view, 3 pages open:   {pages / 1024:6.1f} MiB, {pages_threads} threads "
          f"(+{(pages - base) / 1024:.1f} MiB), after 10 updates")


def startup(baseline):
    print("== startup: mgrad -c 1, alternating with the baseline, 300 runs each ==")
    times = {MGRAD: [], baseline: []}
    for _ in range(300):
        for exe in (baseline, MGRAD):
            t0 = time.perf_counter()
            subprocess.run([exe, "-c", "1"], stdout=subprocess.DEVNULL, check=True)
            times[exe].append((time.perf_counter() - t0) * 1000)
    for name, exe in (("baseline", baseline), ("this build", MGRAD)):
        t = sorted(times[exe])
        print(f"{name:>10}: median {statistics.median(t):.2f} ms, 10th percentile "
              f"{t[len(t) // 10]:.2f} ms ({exe})")


if "latency" in modes:
    latency()
if "memory" in modes:
    memory()
if "startup" in modes:
    startup(os.path.abspath(modes[modes.index("startup") + 1]))
