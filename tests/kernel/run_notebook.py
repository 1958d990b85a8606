#!/usr/bin/env python3
"""Runs a notebook headlessly (on the mgrad kernel, or on Python's with `%load_ext mgrad`), so
stored outputs cannot go stale.

    run_notebook.py --check NOTEBOOK    execute a copy; fail when an output differs
    run_notebook.py --update NOTEBOOK   execute it and store the outputs in the file

The notebook's kernel is mgrad's, installed with `mgrad jupyter install --prefix` into a
scratch directory ($MGRAD is the executable), or the ordinary Python kernel on the Python this
runs on (for notebooks that `%load_ext mgrad`); the cells run in a scratch working directory. Text,
results, tables and errors must be equal; a picture must have the same type and, for an SVG,
the same texts (labels, data and grad of every node) — not byte for byte, so that a change in
the renderer's layout needs no update here.
"""

import argparse
import copy
import difflib
import html
import json
import os
import re
import sys

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_env import KernelEnv  # noqa: E402


def kernel_of(nb):
    """The notebook's kernel: mgrad's, or the ordinary Python kernel (`%load_ext mgrad`)."""
    return nb.metadata.get("kernelspec", {}).get("name", "mgrad")


def execute(nb, env):
    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, kernel_name=kernel_of(nb), timeout=60, allow_errors=False,
                            record_timing=False,
                            resources={"metadata": {"path": env.notebook_dir}})
    client.execute()
    return nb


def svg_texts(svg):
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def comparable(output):
    """What must stay the same of an output."""
    kind = output["output_type"]
    if kind == "stream":
        return {"stream": output["name"], "text": output["text"]}
    if kind == "error":
        return {"error": output["ename"], "evalue": output["evalue"]}
    data = dict(output["data"])
    if "image/svg+xml" in data:
        data["image/svg+xml"] = svg_texts(data["image/svg+xml"])
    if "image/png" in data:
        data["image/png"] = "(a PNG)"
    return {kind: data}


def cell_outputs(nb):
    return [[comparable(o) for o in cell.get("outputs", [])]
            for cell in nb.cells if cell.cell_type == "code"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    parser.add_argument("notebook")
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    env = KernelEnv(kernel_of(nb))
    try:
        fresh = execute(nb, env)
    finally:
        env.close()
    if args.update:
        nbformat.write(fresh, args.notebook)
        print(f"updated {args.notebook}")
        return 0
    stored, now = cell_outputs(nb), cell_outputs(fresh)
    if stored == now:
        print(f"{args.notebook}: {len(now)} code cells, every output as stored")
        return 0
    dump = [json.dumps(c, indent=1, ensure_ascii=False).splitlines() for c in (stored, now)]
    sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(
        dump[0], dump[1], "stored outputs", "outputs now", lineterm=""))
    print(f"{args.notebook} is stale: run tests/kernel/run_notebook.py --update {args.notebook}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
