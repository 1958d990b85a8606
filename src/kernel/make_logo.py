#!/usr/bin/env python3
"""Draws the kernel's logo — two inputs feeding an operation whose result is the drawn value,
in the colours of mgrad's graph pictures — as an SVG and as 32x32 and 64x64 PNGs (what a
kernelspec carries). Standard library only: the PNGs are rasterised here with 8x8 samples a
pixel, so they are reproducible byte for byte.

    make_logo.py DIR      writes DIR/logo-svg.svg, DIR/logo-32x32.png, DIR/logo-64x64.png
"""

import math
import os
import struct
import sys
import zlib

# The renderer's colours (src/render/scene.cpp): text, edges, inputs, ops, the drawn value.
BACKGROUND = "#1E293B"
EDGE = "#94A3B8"
LEAF = ("#DCFCE7", "#16A34A")
OP = ("#EEF2FF", "#818CF8")
ROOT = ("#FEF3C7", "#D97706")

# In a 64-unit square: the background's corner radius, the edges, the nodes (x, y, r, look).
CORNER = 12.0
NODES = [(15.0, 18.0, 8.5, LEAF), (15.0, 46.0, 8.5, LEAF), (33.0, 32.0, 5.5, OP),
         (50.0, 32.0, 9.5, ROOT)]
EDGES = [(0, 2), (1, 2), (2, 3)]
EDGE_WIDTH = 3.2
BORDER = 2.6


def rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def svg():
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" '
             'viewBox="0 0 64 64">',
             f'<rect width="64" height="64" rx="{CORNER:g}" fill="{BACKGROUND}"/>']
    for a, b in EDGES:
        (x0, y0, *_), (x1, y1, *_) = NODES[a], NODES[b]
        parts.append(f'<line x1="{x0:g}" y1="{y0:g}" x2="{x1:g}" y2="{y1:g}" stroke="{EDGE}" '
                     f'stroke-width="{EDGE_WIDTH:g}" stroke-linecap="round"/>')
    for x, y, r, (fill, border) in NODES:
        parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="{r - BORDER / 2:g}" fill="{fill}" '
                     f'stroke="{border}" stroke-width="{BORDER:g}"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def colour_at(x, y):
    """The colour of the point (x, y) of the 64-unit square, or None outside the background."""
    # Rounded square: outside when beyond a corner's circle.
    cx = min(max(x, CORNER), 64 - CORNER)
    cy = min(max(y, CORNER), 64 - CORNER)
    if (x - cx) ** 2 + (y - cy) ** 2 > CORNER ** 2:
        return None
    colour = BACKGROUND
    for a, b in EDGES:
        (x0, y0, *_), (x1, y1, *_) = NODES[a], NODES[b]
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
        if math.hypot(x - x0 - t * dx, y - y0 - t * dy) <= EDGE_WIDTH / 2:
            colour = EDGE
    for nx, ny, r, (fill, border) in NODES:
        d = math.hypot(x - nx, y - ny)
        if d <= r - BORDER:
            colour = fill
        elif d <= r:
            colour = border
    return colour


def png(size):
    samples = 8
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            total = [0, 0, 0]
            covered = 0
            for sy in range(samples):
                for sx in range(samples):
                    x = (px + (sx + 0.5) / samples) * 64 / size
                    y = (py + (sy + 0.5) / samples) * 64 / size
                    c = colour_at(x, y)
                    if c is None:
                        continue
                    covered += 1
                    for i, v in enumerate(rgb(c)):
                        total[i] += v
            n = samples * samples
            if covered:
                row += bytes(round(t / covered) for t in total)
            else:
                row += bytes(3)
            row.append(round(255 * covered / n))
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "logo-svg.svg"), "w") as f:
        f.write(svg())
    for size in (32, 64):
        with open(os.path.join(out, f"logo-{size}x{size}.png"), "wb") as f:
            f.write(png(size))


if __name__ == "__main__":
    main()
