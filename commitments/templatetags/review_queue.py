"""The admin index's count of submissions waiting for review, and of cities' reports that
disagree with the independent rating (the reviewers' other queue)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from commitments.city_reports import disagreements
from commitments.models import REVIEW_PERMISSION, Evidence, Pledge, ProgressUpdate, ReviewState

register = template.Library()


@register.inclusion_tag("admin/commitments/_review_queue.html", takes_context=True)
def review_queue(context):
    """Per kind of submission, and for the cities' reports that disagree: how many wait,
    linked to the list of them (for reviewers)."""
    if not context["request"].user.has_perm(REVIEW_PERMISSION):
        return {"queue": None}
    queue = []
    for model in (ProgressUpdate, Evidence, Pledge):
        changelist = reverse(f"admin:commitments_{model._meta.model_name}_changelist")
        url = f"{changelist}?review_state={ReviewState.PENDING}"
        queue.append((model._meta.verbose_name_plural, model.objects.pending().count(), url))
    disagreeing = _("cities' reports that disagree with the rating")
    queue.append((disagreeing, disagreements().count(), reverse("official:queue")))
    return {"queue": queue, "waiting": sum(count for _name, count, _url in queue)}
