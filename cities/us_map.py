"""The United States map's state outlines, read once from the committed data file."""

import json
from functools import cache
from pathlib import Path

OUTLINES = Path(__file__).resolve().parent / "data" / "us_states_albers.json"


@cache
def us_map():
    """{"width", "height", "source", "states": [{"code", "name", "d"}]}: the outlines as SVG
    paths, in the picture `projection.albers_usa` places cities on (cities/data/README.md)."""
    return json.loads(OUTLINES.read_text())
