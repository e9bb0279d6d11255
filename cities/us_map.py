"""The United States map's state outlines, read once from the committed data file, and the
picture of them that pages draw their markers on."""

import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTLINES = ROOT / "cities" / "data" / "us_states_albers.json"
# The outlines as a picture of their own, served as a static file: inlined, they made up a
# third of the home page and most of the time spent compressing it.
PICTURE = ROOT / "static" / "img" / "us-states.svg"
# Land and borders, in the light grey and white of the page around the map (Bootstrap's).
LAND, BORDER = "#e9ecef", "#fff"


@cache
def us_map():
    """{"width", "height", "source", "states": [{"code", "name", "d"}]}: the outlines as SVG
    paths, in the picture `projection.albers_usa` places cities on (cities/data/README.md)."""
    return json.loads(OUTLINES.read_text())


def outlines_svg():
    """The committed PICTURE: every state's outline, drawn as the map's background."""
    outlines = us_map()
    paths = "".join(f'<path d="{state["d"]}"/>' for state in outlines["states"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {outlines["width"]} '
        f'{outlines["height"]}" width="{outlines["width"]}" height="{outlines["height"]}">'
        f'<g fill="{LAND}" stroke="{BORDER}" stroke-width="1">{paths}</g></svg>\n'
    )
