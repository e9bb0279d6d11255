"""Time travel: `?as_of=YYYY-MM-DD` shows the public record as it stood at the end of that day.

A page that can travel is wrapped in `time_travels`: it reads the day from `request.as_of`
(None: today), a date it cannot show gets a page that says why, and its internal links keep
the day, so a reader who follows them stays in the past.
"""

import functools
import re

from django import forms
from django.db.models import Min
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commitments.models import ProgressUpdate

PARAMETER = "as_of"
# Links to pages of the public record, in either language, as whole tags: their path, then any
# fragment. The advocates' pages, the admin and sign-in always show today, and the language
# switch carries the page's own address (with its day); so does a link marked TODAY (a page's
# "as it is today", the officials' menu).
# (Matching the whole tag, then looking for TODAY in it, took a third of the time of a pattern
# that looked ahead for it: 0.7 ms of the grid's 1,400 links against 1.8.)
LINK = re.compile(
    r'<a\b[^>]*?\bhref="(/(?!/|static/|admin/|api/|language/)(?!(?:es/)?(?:accounts|advocate)/)'
    r'[^"#]*)(?:#[^"]*)?"[^>]*>'
)
TODAY = 'data-as-of="today"'


def first_public_day():
    """The day the first update was approved: the public record begins then."""
    first = ProgressUpdate.objects.approved().aggregate(first=Min("reviewed_at"))["first"]
    return timezone.localdate(first) if first else None


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        today = timezone.localdate()
        if day is None or day == today:
            return None
        if day > today:
            raise forms.ValidationError(
                _("%(day)s has not happened yet: choose a day up to today.")
                % {"day": day.isoformat()}
            )
        first = first_public_day()
        if first is None:
            raise forms.ValidationError(
                _(
                    "The public record begins with its first approval: there is nothing to show "
                    "on %(day)s."
                )
                % {"day": day.isoformat()}
            )
        if day < first:
            raise forms.ValidationError(
                _("The public record begins on %(first)s: there is nothing to show on %(day)s.")
                % {"first": date_format(first, "DATE_FORMAT"), "day": day.isoformat()}
            )
        return day


def keep_the_day(content, day):
    """The page with `as_of=day` added to every internal link that does not have it."""

    def with_day(match):
        tag, path = match[0], match[1]
        if f"{PARAMETER}=" in path or TODAY in tag:
            return tag
        joiner = "&amp;" if "?" in path else "?"
        path_ends = match.end(1) - match.start()  # the day goes before any fragment
        return f"{tag[:path_ends]}{joiner}{PARAMETER}={day.isoformat()}{tag[path_ends:]}"

    return LINK.sub(with_day, content)


def keep_the_day_on(response, day):
    """An HTML response with its internal links keeping `day` (`keep_the_day`)."""
    if response.get("Content-Type", "").startswith("text/html"):
        response.content = keep_the_day(response.content.decode(), day)
    return response


def time_travels(view):
    """Let a public page be read as of a past day (see the module's docstring)."""

    @functools.wraps(view)
    def travel(request, *args, **kwargs):
        form = AsOfForm(request.GET if PARAMETER in request.GET else None)
        if form.is_bound and not form.is_valid():
            return refusal(request, form.errors[PARAMETER])
        request.as_of = form.cleaned_data[PARAMETER] if form.is_bound else None
        response = view(request, *args, **kwargs)
        if request.as_of is None:
            return response
        if getattr(response, "is_rendered", True):
            return keep_the_day_on(response, request.as_of)
        # The API's responses render late, in the format the client asked for.
        response.add_post_render_callback(lambda rendered: keep_the_day_on(rendered, request.as_of))
        return response

    return travel


def refusal(request, errors):
    """Why a day cannot be shown, as the endpoint speaks: JSON for the API, plain text for
    downloads, feeds and images, a page for people."""
    if request.path.startswith("/api/"):
        return JsonResponse({PARAMETER: errors}, status=400)
    if request.path.endswith((".csv", ".svg", ".png", "/feed/")):
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    return render(request, "commitments/as_of_invalid.html", {"errors": errors}, status=400)


def as_of(request):
    """The day a page shows (None: today)."""
    return getattr(request, "as_of", None)
