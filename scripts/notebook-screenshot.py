#!/usr/bin/python3
"""Screenshots of docs/tutorial.ipynb in a real Jupyter Notebook (Debian's python3-notebook 6.4)
in headless Chromium, for docs/jupyter.md: the kernelspec is installed into a scratch prefix, a
notebook server serves a copy of the tutorial, the browser runs every cell on the mgrad kernel
(Cell → Run All) and the page is photographed.

    scripts/notebook-screenshot.py BUILD_DIR [OUT_DIR]    (default OUT_DIR: docs/images/jupyter)

Needs python3-notebook, python3-selenium, chromium and chromium-driver.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=60, what="the page"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(f"waited {timeout} s for {what}")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    mgrad = os.path.join(os.path.abspath(sys.argv[1]), "src", "cli", "mgrad")
    out_dir = os.path.abspath(sys.argv[2] if len(sys.argv) == 3
                              else os.path.join(ROOT, "docs", "images", "jupyter"))
    os.makedirs(out_dir, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="mgrad-notebook-")
    env = dict(os.environ)
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        env[name] = os.path.join(scratch, name.lower())
    prefix = os.path.join(scratch, "prefix")
    env["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    subprocess.run([mgrad, "jupyter", "install", "--prefix", prefix], check=True, env=env)
    notebooks = os.path.join(scratch, "notebooks")
    os.makedirs(notebooks)
    shutil.copy(os.path.join(ROOT, "docs", "tutorial.ipynb"), notebooks)
    port, token = free_port(), "mgrad-screenshot"
    server = subprocess.Popen(
        [sys.executable, "-m", "notebook", "--no-browser", f"--port={port}",
         f"--NotebookApp.token={token}", f"--notebook-dir={notebooks}", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1500",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    browser = None
    try:
        wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 30,
                 "the notebook server")
        browser = webdriver.Chrome(options=options)
        browser.get(f"http://127.0.0.1:{port}/notebooks/tutorial.ipynb?token={token}")
        idle = ("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && "
                "Jupyter.notebook.kernel.is_connected() && "
                "document.querySelector('#kernel_indicator_icon.kernel_idle_icon'))")
        wait_for(lambda: browser.execute_script(idle), 60, "the mgrad kernel")
        # Run every cell on the kernel, so the outputs shown are this kernel's, not stored ones.
        browser.execute_script("Jupyter.notebook.clear_all_output();"
                               "Jupyter.notebook.execute_all_cells();")
        wait_for(lambda: browser.execute_script(
            "return Jupyter.notebook.get_cells().every(c => c.cell_type !== 'code' || "
            "(c.input_prompt_number !== '*' && c.input_prompt_number !== null && "
            "c.input_prompt_number !== undefined))"), 60, "every cell to run")
        wait_for(lambda: browser.execute_script(idle), 30, "the kernel to be idle")

        def shoot(cell_index, name, before=None):
            browser.execute_script(
                "Jupyter.notebook.select(arguments[0]);"
                "Jupyter.notebook.scroll_to_cell(arguments[0], 0);", cell_index)
            if before:
                before()
            time.sleep(0.8)
            path = os.path.join(out_dir, name)
            browser.save_screenshot(path)
            print(f"wrote {path}")

        cells = browser.execute_script(
            "return Jupyter.notebook.get_cells().map(c => c.get_text())")
        section = next(i for i, text in enumerate(cells) if text.startswith("## 2."))
        shoot(section, "notebook.png")

        # Completion: Tab after ':draw L ' in a new cell at the end: the drawing options.
        def complete():
            browser.execute_script(
                "var c = Jupyter.notebook.insert_cell_at_bottom('code');"
                "c.set_text(':draw L '); Jupyter.notebook.select(Jupyter.notebook.ncells()-1);"
                "Jupyter.notebook.scroll_to_bottom(); c.code_mirror.focus();"
                "c.code_mirror.setCursor(0, 8); Jupyter.notebook.edit_mode();")
            area = browser.find_elements(By.CSS_SELECTOR, ".CodeMirror textarea")[-1]
            area.send_keys(Keys.TAB)
            wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#complete"), 10,
                     "the completion list")

        shoot(len(cells) - 1, "completion.png", complete)
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
