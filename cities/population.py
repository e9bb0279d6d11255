"""Population bands: the one definition of which cities are peers by size.

The scorecard and grid filter by them, a city page compares a city with the others of its
band, and the API and CSV name them with the same keys.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PopulationBand:
    key: str
    label: str
    minimum: int
    below: int | None  # None: no upper bound

    def contains(self, population):
        if population is None:
            return False
        return population >= self.minimum and (self.below is None or population < self.below)

    def condition(self, field="population"):
        """The band as a query condition on a population field."""
        condition = Q(**{f"{field}__gte": self.minimum})
        return condition & Q(**{f"{field}__lt": self.below}) if self.below else condition


# Largest first; together they cover every population from zero up.
POPULATION_BANDS = (
    PopulationBand("1m", _("1,000,000 or more"), 1_000_000, None),
    PopulationBand("500k", _("500,000 to 999,999"), 500_000, 1_000_000),
    PopulationBand("250k", _("250,000 to 499,999"), 250_000, 500_000),
    PopulationBand("100k", _("100,000 to 249,999"), 100_000, 250_000),
    PopulationBand("50k", _("50,000 to 99,999"), 50_000, 100_000),
    PopulationBand("under-50k", _("under 50,000"), 0, 50_000),
)
BANDS_BY_KEY = {band.key: band for band in POPULATION_BANDS}
POPULATION_BAND_CHOICES = [(band.key, band.label) for band in POPULATION_BANDS]


def band_of(population):
    """The band a population falls in; None when the population is unknown."""
    return next((band for band in POPULATION_BANDS if band.contains(population)), None)
