"""Renders the PNG icons from favicon.svg with Debian's Chromium through Playwright (the browser
the tests use; no image library needed). Run once after changing the drawing, and keep the PNGs:

    .venv/bin/python web/icons/render.py

favicon-32.png and icon-{192,512}.png keep the rounded corners transparent; apple-touch-icon.png
(iOS fills transparency with black) and icon-maskable-512.png are full white squares, the
maskable one with the mark shrunk into the central safe zone (a circle of 40 % of the size as
radius) that every launcher mask keeps.
"""
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
MASKABLE_SCALE = 0.7  # the mark's farthest corner lands at 0.7 × 32.6 / 64 ≈ 36 % of the size from the centre


def variants(drawing):
    square = drawing.replace('rx="12" ', "")
    opening, _, rest = square.partition("\n")
    background, _, marks = rest.partition("\n")
    body, _, closing = marks.rpartition("</svg>")
    maskable = "{}\n{}\n<g transform=\"translate(32 32) scale({}) translate(-32 -32)\">\n{}</g>\n</svg>{}".format(
        opening, background, MASKABLE_SCALE, body, closing)
    return {
        "favicon-32.png": (32, drawing, True),
        "icon-192.png": (192, drawing, True),
        "icon-512.png": (512, drawing, True),
        "apple-touch-icon.png": (180, square, False),
        "icon-maskable-512.png": (512, maskable, False),
    }


def main():
    drawing = (HERE / "favicon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, (size, svg, transparent) in variants(drawing).items():
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", '<svg width="{0}" height="{0}" '.format(size), 1)
            page.set_content("<html><body style=\"margin:0\">{}</body></html>".format(sized))
            page.screenshot(path=str(HERE / name), omit_background=transparent)
            page.close()
            print(name, size)
        browser.close()


if __name__ == "__main__":
    main()
