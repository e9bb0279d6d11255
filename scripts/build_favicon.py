"""Render static/favicon.png from static/favicon.svg, for clients that ask for /favicon.ico.

Usage: .venv/bin/python scripts/build_favicon.py

Pages link the SVG; browsers and crawlers that still request /favicon.ico are sent to the PNG
(pledge_tracker/favicon.py). Run it again after changing the SVG, and commit both files.
"""

from pathlib import Path

import cairosvg

STATIC = Path(__file__).resolve().parent.parent / "static"
SIZE = 64


def main():
    svg = (STATIC / "favicon.svg").read_bytes()
    png = cairosvg.svg2png(bytestring=svg, output_width=SIZE, output_height=SIZE)
    (STATIC / "favicon.png").write_bytes(png)


if __name__ == "__main__":
    main()
