"""Following pages: the subscribe form, the confirmation link and one-click unsubscribe.

None of them is cached (`commitments.caching.public` caches the public pages, which only link
here), and none needs an account: a follower is identified by a signed link alone.
"""

from django import forms
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cities.models import City
from commitments import following
from commitments.models import Follower, Frequency, Principle
from pledge_tracker.limits import limit


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.IMMEDIATELY
    )


def followed(request):
    """What the link asks to follow: a city (?city=id), a principle (?principle=slug) or, with
    neither, the whole tracker."""
    try:
        if "city" in request.GET:
            return {"city": get_object_or_404(City, pk=int(request.GET["city"]))}
        if "principle" in request.GET:
            return {"principle": get_object_or_404(Principle, slug=request.GET["principle"])}
    except ValueError:
        raise Http404 from None
    return {}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit("SUBMISSION_RATE_LIMIT", methods=("POST",), page=True)
def follow(request):
    subject = followed(request)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscribe(form.cleaned_data, subject)
        return render(request, "following/check_email.html", {"subject": subject})
    context = {"form": form, "subject": subject.get("city") or subject.get("principle")}
    return render(request, "following/follow.html", context)


@transaction.atomic
def subscribe(data, subject):
    """Record the address unconfirmed and send the confirmation link. An address already
    confirmed is left as it is and sent nothing, so the form tells nobody who follows what."""
    follower, _created = Follower.objects.select_for_update().get_or_create(
        email=data["email"].strip().lower(),
        **({"city": None, "principle": None} | subject),
        defaults={"frequency": data["frequency"], "language": translation.get_language()},
    )
    if follower.confirmed_at is not None:
        return
    follower.frequency = data["frequency"]
    follower.language = translation.get_language()
    follower.save(update_fields=["frequency", "language"])
    transaction.on_commit(lambda: following.send_confirmation(follower))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The emailed link asks (GET) and its button confirms (POST): mail scanners that open
    every link in a message must not subscribe anyone."""
    follower = following.follower_for(token, following.CONFIRM_SALT, following.UNCONFIRMED_FOR)
    if follower is None:
        raise Http404(_("This confirmation link is not valid any more. Please follow again."))
    if request.method == "POST" or follower.confirmed_at is not None:
        following.confirm(follower)
        return render(request, "following/confirmed.html", {"follower": follower})
    return render(request, "following/confirm_page.html", {"follower": follower})


@csrf_exempt  # RFC 8058: mail clients POST here without a token; the signed link is the proof
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    follower = following.follower_for(token, following.UNSUBSCRIBE_SALT)
    if request.method == "POST":
        if follower is not None:
            follower.delete()
        return render(request, "following/unsubscribed.html")
    if follower is None:
        return render(request, "following/unsubscribed.html")
    return render(request, "following/unsubscribe.html", {"follower": follower})
