"""The geometry of the site's pictures: small functions that place data in an SVG viewBox.

Templates draw the pictures (templates/commitments/charts/); every picture sits beside a table
or list carrying the same figures, and carries its numbers as text, never by colour alone.
"""

from dataclasses import dataclass

from django.utils.formats import date_format

from commitments.scoring import GRADES

# The score-over-time chart: a viewBox narrow enough that its text stays legible at 375 px.
WIDTH, HEIGHT = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 30, 26, 10, 24


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    path: str  # a step line: the value holds until the next point
    last: tuple  # (x, y) of the latest point, marked
    x_ticks: list
    y_ticks: list
    grade_lines: list  # the lowest score of each grade, labelled with the grade
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def _y(value, maximum=100):
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / maximum), 1)


def score_line(history):
    """A step chart of `history.MonthScore`s, 0 to 100, with the grades' thresholds marked."""
    span = WIDTH - LEFT - RIGHT
    step = span / max(len(history), 1)
    xs = [round(LEFT + step * index, 1) for index in range(len(history) + 1)]
    commands = [f"M{xs[0]},{_y(history[0].score)}"]
    for index, month in enumerate(history):
        commands.append(f"V{_y(month.score)}H{xs[index + 1]}")
    years = [(index, month) for index, month in enumerate(history) if month.month.month == 1]
    every = max(1, len(years) // 5)  # at most about five year labels
    x_ticks = [Tick(xs[index], str(month.month.year)) for index, month in years[::every]]
    if not x_ticks:
        x_ticks = [Tick(xs[0], date_format(history[0].month, "M Y"))]
    return LineChart(
        path="".join(commands),
        last=(xs[-1], _y(history[-1].score)),
        x_ticks=x_ticks,
        y_ticks=[Tick(_y(value), str(value)) for value in (100, 50, 0)],
        grade_lines=[Tick(_y(minimum), grade.label) for grade, minimum in GRADES if minimum],
    )


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the column; a year is shortened to '19 when there are many
    value: int
    year: int

    @property
    def middle(self):
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class ColumnChart:
    columns: list
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    baseline: int = HEIGHT - BOTTOM


def year_columns(rows):
    """Vertical bars for (year, value) rows, oldest first, scaled to the largest value."""
    largest = max((value for _year, value in rows), default=0) or 1
    short = len(rows) > 8
    slot = (WIDTH - LEFT) / max(len(rows), 1)
    bar = slot * 0.7
    plot = HEIGHT - TOP - BOTTOM - 14  # room for the value above the tallest bar
    columns = [
        Column(
            x=round(LEFT + slot * index + (slot - bar) / 2, 1),
            y=round(HEIGHT - BOTTOM - plot * value / largest, 1),
            width=round(bar, 1),
            height=round(plot * value / largest, 1),
            label=f"’{year % 100:02d}" if short else str(year),
            value=value,
            year=year,
        )
        for index, (year, value) in enumerate(rows)
    ]
    return ColumnChart(columns)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: float  # of the largest value, for a bar drawn as wide as its row allows


def bars(rows):
    """Horizontal bars for (label, value) rows, scaled to the largest value."""
    largest = max((value for _label, value in rows), default=0) or 1
    return [Bar(str(label), value, round(100 * value / largest, 1)) for label, value in rows]
