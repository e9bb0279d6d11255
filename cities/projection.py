"""Where a place falls on the United States map: d3-geo's Albers USA projection, in Python.

The state outlines (cities/data/us_states_albers.json) were projected by us-atlas with
`d3.geoAlbersUsa().scale(1300).translate([487.5, 305])`; cities must land on the same spots, so
this reproduces that composite: the lower 48 states on an Albers conic equal-area projection,
Alaska (at 0.35 of its true scale) and Hawaii as insets, each inset used only for points that
fall inside its box, as d3 clips them.
"""

from dataclasses import dataclass
from functools import lru_cache
from math import cos, radians, sin, sqrt, tau

SCALE = 1300
TRANSLATE = (487.5, 305)
EPSILON = 1e-6  # d3's, shrinking the insets' boxes so that they never touch


@dataclass(frozen=True)
class ConicEqualArea:
    """A conic equal-area projection placed as d3 places one: rotated by `rotate` degrees of
    longitude, its `center` (in rotated degrees) at the translate point, clipped to a box."""

    parallels: tuple[float, float]
    rotate: float
    center: tuple[float, float]
    scale: float
    translate: tuple[float, float]
    box: tuple[tuple[float, float], tuple[float, float]]

    def raw(self, longitude, latitude):
        """The unit projection of a rotated point, both in radians."""
        first, second = (radians(parallel) for parallel in self.parallels)
        n = (sin(first) + sin(second)) / 2
        c = 1 + sin(first) * (2 * n - sin(first))
        rho0 = sqrt(c) / n
        rho = sqrt(max(c - 2 * n * sin(latitude), 0)) / n
        return rho * sin(longitude * n), rho0 - rho * cos(longitude * n)

    def __call__(self, longitude, latitude):
        """(x, y) on the picture, or None outside this projection's box."""
        rotated = radians(longitude + self.rotate)
        rotated = (rotated + tau / 2) % tau - tau / 2  # back into [-180°, 180°)
        x, y = self.raw(rotated, radians(latitude))
        center_x, center_y = self.raw(*(radians(degrees) for degrees in self.center))
        point = (
            self.translate[0] + self.scale * (x - center_x),
            self.translate[1] - self.scale * (y - center_y),
        )
        (left, top), (right, bottom) = self.box
        return point if left <= point[0] <= right and top <= point[1] <= bottom else None


def _offset(right, down):
    """A point given in multiples of the scale from the translate point."""
    x, y = TRANSLATE
    return x + right * SCALE, y + down * SCALE


def _box(left, top, right, bottom, margin=0.0):
    """A clip box given in multiples of the scale from the translate point."""
    (x0, y0), (x1, y1) = _offset(left, top), _offset(right, bottom)
    return (x0 + margin, y0 + margin), (x1 - margin, y1 - margin)


# d3's three parts, each with its parallels, rotation, centre, scale, translate and clip box.
PROJECTIONS = (
    ConicEqualArea((29.5, 45.5), 96, (-0.6, 38.7), SCALE, TRANSLATE,
                   _box(-0.455, -0.238, 0.455, 0.238)),  # the lower 48
    ConicEqualArea((55, 65), 154, (-2, 58.5), 0.35 * SCALE, _offset(-0.307, 0.201),
                   _box(-0.425, 0.120, -0.214, 0.234, EPSILON)),  # Alaska
    ConicEqualArea((8, 18), 157, (-3, 19.9), SCALE, _offset(-0.205, 0.212),
                   _box(-0.214, 0.166, -0.115, 0.234, EPSILON)),  # Hawaii
)  # fmt: skip


@lru_cache(maxsize=8192)  # a pure function of a city's place: the map projects every city
def albers_usa(longitude, latitude):
    """(x, y) of a place on the 975×610 map, or None when it falls outside all three parts.

    Takes degrees as floats or Decimals (City.longitude, City.latitude).
    """
    longitude, latitude = float(longitude), float(latitude)
    for projection in PROJECTIONS:
        point = projection(longitude, latitude)
        if point is not None:
            return point
    return None
