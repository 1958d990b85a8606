#!/usr/bin/env python3
"""A real headless Chromium on the page of a running `mgrad --view -i` fed through a pipe.

    browser.py PATH/TO/mgrad

Checks, as the issue asks: after `L = (a*b + c) * f` and `:backward L` the SVG in the DOM shows
`data -8.0000` and `grad 6.0000`; `:set a 3` in the terminal repaints it without a reload; the
inspector shows a node's formula, local derivatives and `:trace`'s chain-rule words; the stepper
visits every step of `:trace` in order and ends with `:backward`'s gradients; editing a leaf in
the page runs `:set` in the session (the terminal shows the table); pan and zoom survive an
update; a graph over the cap says why and offers what fits; a request without the token gets
403. With MGRAD_VIEW_SCREENSHOTS=DIR it also saves the documentation's screenshots there.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (NODE_TEXTS, SVG_TEXT, Mgrad, browser, check, close_browser, fail,  # noqa: E402
                     wait_js)

MGRAD = os.path.abspath(sys.argv[1])
SHOTS = os.environ.get("MGRAD_VIEW_SCREENSHOTS")


def shot(d, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        time.sleep(0.4)  # let transitions settle
        d.save_screenshot(os.path.join(SHOTS, name))


def ids_by_name(frame):
    return {node["name"]: int(i) for i, node in frame["nodes"].items()}


def node_texts(d):
    return d.execute_script(NODE_TEXTS)


def main():
    m = Mgrad(MGRAD)
    # Without the token, nothing: not the page, not the event stream.
    for path in ("/", "/events", "/api/frame"):
        status, _ = m.request(path, token=False)
        check(status == 403, f"{path} without the token answered {status}, not 403")

    m.send("a = 2; b = -3; c = 10; f = -2\ne = a*b; d = e + c; L = d * f\n:backward L\n")
    frame = m.wait_frame(lambda f: f.get("name") == "L" and "svg" in f
                         and any(n["grad"] == "6" for n in f["nodes"].values()), "of L after :backward")
    ids = ids_by_name(frame)

    d = browser()
    try:
        d.get(m.url)
        wait_js(d, "return document.querySelector('#status').classList.contains('live')", "a live connection")
        wait_js(d, SVG_TEXT.replace("return s ? s.textContent : '';",
                                    "const t = s ? s.textContent : ''; "
                                    "return t.includes('data -8.0000') && t.includes('grad 6.0000');"),
                "data -8.0000 and grad 6.0000")
        texts = node_texts(d)
        box_l, box_a = texts.get("v%d" % ids["L"], []), texts.get("v%d" % ids["a"], [])
        check("data -8.0000" in box_l, f"L's box does not show data -8.0000: {box_l}")
        check("grad 6.0000" in box_a, f"a's box does not show grad 6.0000: {box_a}")
        shot(d, "graph.png")

        # The inspector: click e.
        d.execute_script("document.querySelector(`#stage svg g.node[data-id='${arguments[0]}'] path`)"
                         ".dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, button: 0, pointerId: 1}));"
                         "document.querySelector(`#stage svg g.node[data-id='${arguments[0]}'] path`)"
                         ".dispatchEvent(new PointerEvent('pointerup', {bubbles: true, button: 0, pointerId: 1}));",
                         ids["e"])
        wait_js(d, "return document.querySelector('#in-formula').textContent === 'e = a * b'", "e = a * b in the inspector")
        steps = d.execute_script("return [...document.querySelectorAll('#in-inputs .step')].map(s => s.textContent)")
        check(steps == ["a.grad += b.data * e.grad = -3 * -2 = 6", "b.grad += a.data * e.grad = 2 * -2 = -4"],
              f"the inspector's chain-rule steps are {steps}")
        local = d.execute_script("return [...document.querySelectorAll('#in-inputs .local')].map(s => s.textContent)")
        check(local == ["∂e/∂a = b.data = -3", "∂e/∂b = a.data = 2"], f"the local derivatives are {local}")
        check(d.execute_script("return document.querySelector('#in-grad').textContent") == "-2", "e's grad is not -2")
        shot(d, "inspector.png")
        d.execute_script("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")

        # A statement in the terminal repaints the page, without a reload.
        d.execute_script("window.notReloaded = true")
        m.send(":set a 3\n")
        m.read_until("a: 2 → 3")
        wait_js(d, f"const t = document.querySelector(\"#stage svg g.node[data-id='{ids['L']}']\"); "
                   "return t && t.textContent.includes('data -2.0000')", "L's new data -2.0000")
        check("data 3.0000" in node_texts(d)["v%d" % ids["a"]], "a's box does not show data 3.0000")
        check(d.execute_script("return window.notReloaded === true"), "the page was reloaded")

        # The stepper walks :trace's steps in order and ends with :backward's gradients.
        m.send(":trace L\n12345.5\n")
        trace = [line for line in m.read_until("12345.5").replace(">>> ", "").splitlines()
                 if ".grad" in line]
        check(trace and trace[0] == "L.grad = 1", f":trace printed {trace}")
        m.send(":grad L\n12345.25\n")
        grads = {}
        for line in m.read_until("12345.25").replace(">>> ", "").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] in ids:
                grads[parts[0]] = float(parts[2])
        check(set(grads) == {"a", "b", "c", "f", "e", "d", "L"}, f":grad L gave {grads}")
        frame = m.wait_frame(lambda f: "svg" in f and f.get("backward", {}).get("steps"), "with the pass")
        d.find_element("id", "step-start").click()
        seen = []
        body = d.find_element("tag name", "body")
        n = len(trace) - 1
        for k in range(n + 1):
            text = wait_js(d, f"const c = document.querySelector('#step-count').textContent; "
                              f"return c === 'step {k} of {n}' ? document.querySelector('#step-text').textContent : ''",
                           f"step {k} of {n}")
            seen.append(text)
            if k == 3:
                shot(d, "stepper.png")
            if k < n:
                body.send_keys("\ue014")  # →
        check(seen == trace, f"the stepper showed\n{seen}\nwhere :trace printed\n{trace}")
        texts = node_texts(d)
        for name, grad in grads.items():
            shown = [t for t in texts["v%d" % ids[name]] if t.startswith("grad ")]
            check(shown == [f"grad {grad:.4f}"], f"after the last step {name} shows {shown}, :backward gives {grad}")
        # Back one step: the last update is undone on the page.
        body.send_keys("\ue012")  # ←
        wait_js(d, f"return document.querySelector('#step-count').textContent === 'step {n - 1} of {n}'", "one step back")
        body.send_keys("\ue00c")  # Esc: the session's own gradients again
        wait_js(d, "return document.querySelector('#stepper').hidden", "the stepper closed")

        # Pan and zoom survive an update.
        d.find_element("id", "zoom-in").click()
        d.find_element("id", "zoom-in").click()
        box = d.execute_script("return document.querySelector('#stage svg').getAttribute('viewBox')")
        seq = d.execute_script("return window.mgradView.seq")
        m.send(":set b -4\n")
        m.read_until("b: -3 → -4")
        wait_js(d, f"return window.mgradView.seq > {seq}", "a new frame after :set b -4")
        wait_js(d, f"const t = document.querySelector(\"#stage svg g.node[data-id='{ids['b']}']\"); "
                   "return t && t.textContent.includes('data -4.0000')", "b's new data")
        after = d.execute_script("return document.querySelector('#stage svg').getAttribute('viewBox')")
        check(after == box, f"the view moved from {box} to {after} on an update")

        # Editing a leaf in the page runs :set in the session; the terminal shows its table.
        d.execute_script("document.querySelector(`#stage svg g.node[data-id='${arguments[0]}'] path`)"
                         ".dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, button: 0, pointerId: 2}));"
                         "document.querySelector(`#stage svg g.node[data-id='${arguments[0]}'] path`)"
                         ".dispatchEvent(new PointerEvent('pointerup', {bubbles: true, button: 0, pointerId: 2}));",
                         ids["a"])
        wait_js(d, "return !document.querySelector('#in-whatif').hidden", "the what-if field for a")
        field = d.find_element("id", "whatif-value")
        field.clear()
        field.send_keys("5\n")
        printed = m.read_until("view> :set a 5\n")
        table = m.read_until("(gradients are from before the change")
        check("a: 3 → 5" in table and re.search(r"L\s+4\s+20", table), f"the terminal showed:\n{printed}{table}")
        m.send("a\n")
        m.read_until("a = 5  (grad")
        wait_js(d, f"const t = document.querySelector(\"#stage svg g.node[data-id='{ids['a']}']\"); "
                   "return t && t.textContent.includes('data 5.0000')", "a's data 5.0000 on the page")

        # Too large: the page says why and offers what fits.
        m.send(":view L max-nodes=3\n")
        wait_js(d, "return !document.querySelector('#message').hidden && "
                   "document.querySelector('#message-title').textContent", "the too-large message")
        text = d.execute_script("return document.querySelector('#message-text').textContent")
        check("max-nodes=3" in text and "depth=" in text, f"the message says: {text}")
        shot(d, "too-big.png")
        # The buttons are the renderer's suggestions as data, the controls' limits the specs'.
        buttons = d.execute_script("return [...document.querySelectorAll('#message-actions button')]"
                                   ".map(b => b.textContent)")
        check(buttons and buttons[0].startswith("depth=") and buttons[-1].startswith("max-nodes="),
              f"the buttons: {buttons}")
        limits = d.execute_script("const e = document.getElementById('opt-depth'); return [e.min, e.max]")
        check(limits == ["0", "1000000000"], f"depth's limits on the page: {limits}")
        d.execute_script("[...document.querySelectorAll('#message-actions button')]"
                         ".find(b => b.textContent.startsWith('depth=')).click()")
        wait_js(d, "return document.querySelector('#message').hidden && document.querySelector('#stage svg')",
                "the graph drawn with the suggested depth")
        errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]
        check(not errors, f"the browser's console has errors: {errors}")
    finally:
        close_browser(d)
    m.finish()
    print("view.browser: ok")


if __name__ == "__main__":
    main()
