"""Validators the models of every app share, so admin, forms, API and imports apply one rule."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

# Control characters (C0, DEL and C1) other than tab and newline; a carriage return is accepted
# only as part of the CRLF that browsers send for a newline. Atom (XML 1.0) cannot carry them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")

# Nothing the tracker records (terms, pledges, updates, evidence, deaths) is older than this.
EARLIEST_DATE = date(1900, 1, 1)


def without_control_characters(text):
    """The text with every control character the validator refuses removed (for output)."""
    return CONTROL_CHARACTERS.sub("", text)


def validate_printable(value):
    match = CONTROL_CHARACTERS.search(value)
    if match:
        raise ValidationError(
            _("Remove the invisible control character (code %(code)s) from this text."),
            code="control_character",
            params={"code": f"U+{ord(match.group()[0]):04X}"},
        )


def validate_not_in_future(value):
    if value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future_date")


def _too_early_message():
    return _("Dates before %(year)s are not accepted.") % {"year": EARLIEST_DATE.year}


# The message is translated when shown, not when this module loads.
validate_not_too_early = MinValueValidator(EARLIEST_DATE, message=lazy(_too_early_message, str)())

PAST_DATE_VALIDATORS = [validate_not_too_early, validate_not_in_future]
TEXT_VALIDATORS = [validate_printable]
