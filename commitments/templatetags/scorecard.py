"""Labels for stored values that pages show in words."""

from django import template

from commitments.models import EvidenceKind, PledgeStatus
from commitments.scoring import FLAGGED, NO_INFORMATION, Grade, Status

register = template.Library()


@register.filter
def status_label(status):
    """A status in words; no status is "No information"."""
    return Status(status).label if status else NO_INFORMATION


@register.filter
def is_flagged(status):
    return status in FLAGGED


@register.filter
def pledge_label(pledge_status):
    """A pledge status in words; no approved record is "Not asked"."""
    return PledgeStatus(pledge_status or PledgeStatus.NOT_ASKED).label


@register.filter
def evidence_kind_label(kind):
    """Like `get_kind_display`, without the dict of every label it builds on each call."""
    return EvidenceKind(kind).label


@register.filter
def grade_label(grade):
    return Grade(grade).label
