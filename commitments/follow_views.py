"""Following pages: the subscribe form, the confirmation link and one-click unsubscribe.

None of them is cached (`commitments.caching.public` caches the public pages, which only link
here), and none needs an account: a follower is identified by a signed link alone.
"""

from django import forms
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: in its language, with the throttle as it is set.
        explained = [following.frequency_explained(frequency) for frequency in Frequency]
        change = _("To change how often later, unsubscribe and follow again.")
        self.fields["frequency"].help_text = " ".join([*explained, str(change)])


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
    """The form (GET), the subscription (POST) and then, redirected so that reloading sends
    nothing more, the page that says to check the mailbox (GET with ?sent=1)."""
    subject = followed(request)
    context = {"subject": subject.get("city") or subject.get("principle")}
    if "sent" in request.GET:
        return render(request, "following/check_email.html", context)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscribe(form.cleaned_data, subject)
        query = request.GET.copy()
        query["sent"] = "1"
        return redirect(f"{request.path}?{query.urlencode()}")
    return render(request, "following/follow.html", context | {"form": form})


@transaction.atomic
def subscribe(data, subject):
    """Record the address unconfirmed and send the confirmation link. An address already
    confirmed is left as it is and told so by email (unless mail to it has stopped), so the
    form tells nobody who follows what."""
    follower, _created = Follower.objects.select_for_update().get_or_create(
        email=data["email"].strip().lower(),
        **({"city": None, "principle": None} | subject),
        defaults={"frequency": data["frequency"], "language": translation.get_language()},
    )
    if follower.confirmed_at is None:
        follower.frequency = data["frequency"]
        follower.language = translation.get_language()
        follower.save(update_fields=["frequency", "language"])
        transaction.on_commit(lambda: following.send_confirmation(follower))
    elif follower.stopped_at is None:
        transaction.on_commit(lambda: following.send_already_following(follower))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The emailed link asks (GET) and its button confirms (POST): mail scanners that open
    every link in a message must not subscribe anyone."""
    try:
        follower = following.follower_for(token, following.CONFIRM_SALT, following.UNCONFIRMED_FOR)
    except signing.BadSignature:  # forged, cut, or older than a week
        follower = None
    if follower is None:
        return render(request, "following/confirm_invalid.html", status=404)
    if request.method == "POST" or follower.confirmed_at is not None:
        following.confirm(follower)
        return render(request, "following/confirmed.html", following.about(follower))
    return render(request, "following/confirm_page.html", following.about(follower))


@csrf_exempt  # RFC 8058: mail clients POST here without a token; the signed link is the proof
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The emailed link asks (GET) and its button, or the mail client (RFC 8058), leaves
    (POST). A link for a follower already gone says so, as a mail client may POST twice."""
    try:
        follower = following.follower_for(token, following.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "following/unsubscribe_invalid.html", status=404)
    if follower is None:
        return render(request, "following/unsubscribed.html")
    if request.method == "POST":
        follower.delete()
        return render(request, "following/unsubscribed.html", following.about(follower))
    return render(request, "following/unsubscribe.html", following.about(follower))
