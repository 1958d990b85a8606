#!/usr/bin/env python3
"""The playground's budgets (docs/playground.md), in headless Chromium on this machine.

    bench/page_bench.py SITE_DIR W1_JS NATIVE_W1 [--rounds N]

SITE_DIR is build/wasm/site, W1_JS build/wasm/src/page/w1.js, NATIVE_W1 build/bench/bench/mgrad-w1.
Measures, and prints one line each:
- the site's size, every file gzipped (-9): budget 4 MB;
- the first graph on screen, from navigation to the page painting the lecture's graph (a share
  link of it, from a local static server): budget 2 s, median of N loads;
- a statement to the repainted graph at 100 values (`:set x0 V` typed into the console, to the
  browser's next paint after the new picture): budget 150 ms median, over 21 statements;
- W1 (1,000,000 nodes, build + backward) natively, in node and in Chromium, paired (each round
  runs all three): budget within 3× native, medians of the rounds.
"""
import argparse
import base64
import functools
import gzip
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "page"))
from browser import browser, close, wait_js  # noqa: E402

LECTURE = "a = 2.0\nb = -3.0\nc = 10.0\nf = -2.0\nL = (a*b + c) * f\n:backward L\n"


def share_fragment(text):
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = raw.compress(text.encode()) + raw.flush()
    return "#s=z" + base64.urlsafe_b64encode(data).decode().rstrip("=")


def serve(root):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def site_size(site):
    total = 0
    for name in sorted(os.listdir(site)):
        with open(os.path.join(site, name), "rb") as f:
            total += len(gzip.compress(f.read(), 9))
    return total


def first_graph(origin, rounds):
    times = []
    for _ in range(rounds):
        d = browser(1400, 900)
        try:
            d.get(origin + "/" + share_fragment(LECTURE))
            ms = wait_js(d, "const v = window.mgradView; const s = document.querySelector('#stage svg');"
                            " return v && v.paintedSeq > 0 && s && s.textContent.includes('data -8.0000')"
                            " ? v.paintedAt - performance.timeOrigin : 0", "the lecture's graph", 30)
            times.append(ms)
        finally:
            close(d)
    return times


def statement_to_paint(origin, values=100, count=21):
    # 50 leaves and a chain of 49 sums: 99 values, and L: 100.
    lines = [f"x{i} = {i % 7 - 3}.5" for i in range(50)] + ["s1 = x0 + x1"]
    lines += [f"s{i} = s{i - 1} + x{i}" for i in range(2, 50)] + ["L = s49 * 1", ":backward L"]
    d = browser(1400, 900)
    try:
        d.get(origin + "/" + share_fragment("\n".join(lines) + "\n"))
        wait_js(d, "const s = document.querySelector('#stage svg');"
                   " return s && s.querySelectorAll('g.node title').length > 0 && window.mgradView.paintedSeq > 0",
                "the 100-value graph", 60)
        drawn = d.execute_script("return document.querySelectorAll('#stage svg g.node[data-id]').length")
        times = []
        for k in range(count):
            ms = d.execute_async_script("""
                const done = arguments[arguments.length - 1];
                const before = window.mgradView.paintedSeq;
                const box = document.querySelector('#console-input');
                box.value = `:set x0 ${arguments[0]}`;
                const t0 = performance.now();
                box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
                (function wait() {
                    if (window.mgradView.paintedSeq > before)
                        done(window.mgradView.paintedAt - performance.timeOrigin - t0);
                    else setTimeout(wait, 1);
                })();""", 1.25 + k)
            times.append(ms)
        return drawn, times
    finally:
        close(d)


def w1_native(binary, nodes):
    out = subprocess.run([binary, "3", str(nodes)], capture_output=True, text=True, check=True).stdout
    return out


def w1_node(w1_js, nodes):
    out = subprocess.run(["node", "--no-experimental-fetch", w1_js, "3", str(nodes)],
                         capture_output=True, text=True, check=True).stdout
    return out


def w1_chromium(origin, nodes):
    d = browser(800, 600)
    try:
        d.get(f"{origin}/w1.html?{nodes}")
        return wait_js(d, "return window.w1out || ''", "W1 in Chromium", 300)
    finally:
        close(d)


def median_ms(line):
    return float(re.search(r"median_ms=([\d.]+)", line).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("w1_js")
    ap.add_argument("native_w1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--nodes", type=int, default=1_000_000)
    a = ap.parse_args()

    size = site_size(a.site)
    print(f"site: {size / 1e6:.2f} MB gzipped (budget 4 MB)")

    server, origin = serve(a.site)
    firsts = first_graph(origin, a.rounds)
    print(f"first graph on screen: median {statistics.median(firsts):.0f} ms "
          f"({', '.join(f'{t:.0f}' for t in firsts)}) (budget 2000 ms)")
    drawn, paints = statement_to_paint(origin)
    print(f"statement to repainted graph, {drawn} values drawn: median {statistics.median(paints):.0f} ms, "
          f"min {min(paints):.0f}, max {max(paints):.0f} over {len(paints)} (budget 150 ms)")
    server.shutdown()

    # W1: the wasm program and a page that runs it, served from one folder.
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(prefix="mgrad-w1-")
    shutil.copy(a.w1_js, os.path.join(folder, "w1.js"))
    with open(os.path.join(folder, "w1.html"), "w") as f:
        f.write("<!doctype html><meta charset=utf-8><script>var Module = {arguments: ['3', "
                "location.search.slice(1)], print: (t) => { window.w1out = t; }};</script>"
                "<script src='w1.js'></script>\n")
    server, origin = serve(folder)
    rows = {"native": [], "node": [], "chromium": []}
    agree = set()
    for _ in range(a.rounds):
        for name, run in (("native", lambda: w1_native(a.native_w1, a.nodes)),
                          ("node", lambda: w1_node(a.w1_js, a.nodes)),
                          ("chromium", lambda: w1_chromium(origin, a.nodes))):
            line = run().strip()
            rows[name].append(median_ms(line))
            agree.add(re.search(r"y=(\S+) g0=(\S+)", line).groups())
    server.shutdown()
    shutil.rmtree(folder, ignore_errors=True)
    native = statistics.median(rows["native"])
    for name, times in rows.items():
        m = statistics.median(times)
        print(f"W1 {name}: median {m:.1f} ms over {len(times)} rounds (each the median of 3), "
              f"{m / native:.2f}× native (budget 3×)")
    print(f"W1 results agree across the three: {len(agree) == 1} {sorted(agree)}")


if __name__ == "__main__":
    main()
