"""Who may open what, for every URL the resolver knows: a new URL is guarded or this fails."""

import pytest
from django.urls import reverse

from commitments.models import Follower, Frequency
from tests.conftest import logged_in
from tests.factories import ProgressUpdateFactory, ReviewerFactory, UserFactory
from tests.test_city_reports import make_official
from tests.url_list import ours, public_urls, url_for

pytestmark = pytest.mark.django_db


ROLES = ["anonymous", "advocate of another city", "advocate of the city",
         "staff without the review permission", "reviewer",
         "verified official of the city"]  # fmt: skip
# What a POST with an empty form gets from each advocate page that takes one: the form again,
# with its messages. The others read only (405).
ADVOCATE_FORMS = {"advocate:propose", "advocate:pledge"}
# Following's and the officials' pages, each by name (a new one fails until it is here): who
# may open it, and what an empty POST gets. Following needs no account, only a signed link;
# the officials' pages need a login first.
BY_NAME = {
    "follow:follow": (ROLES, 200),  # the form again, with its messages
    "follow:confirm": (ROLES, 200),  # the link asks; its button POSTs to confirm
    "follow:unsubscribe": (ROLES, 200),  # RFC 8058: a mail client POSTs to leave
    "official:page": (["verified official of the city"], 200),  # the form again
    "official:queue": (["reviewer"], 302),  # a POST that names no report: back, with a message
}
# What a signed link for no follower (one who left, or never confirmed in time) answers.
DEAD_LINKS = {"follow:confirm": 404, "follow:unsubscribe": 200}
# Pages that send anyone on: to the icon, or to the page in the language chosen.
REDIRECTS = {"favicon", "choose_language"}
WALKED = (public_urls() + ours("advocate:") + ours("follow:") + ours("official:")
          + ours("favicon") + ours("choose_language"))  # fmt: skip


@pytest.fixture
def record(record):
    """The shared record, and a follower not yet confirmed whose signed links are walked."""
    follower = Follower.objects.create(
        email="fan@example.org", city=record["city"], frequency=Frequency.IMMEDIATELY, language="en"
    )
    return record | {"follower": follower}


@pytest.fixture
def people(city, advocate, other_advocate):
    return dict(
        zip(
            ROLES,
            [
                None,
                other_advocate,
                advocate,
                UserFactory(username="plain-staff", is_staff=True),
                ReviewerFactory(),
                make_official(city),
            ],  # fmt: skip
            strict=True,
        )
    )


def expected(name, args, role, method):
    """What each kind of person gets: public pages read-only for all; advocate pages need a
    login, and a city's pages need that city assigned or the permission to act on every one;
    following's and the officials' pages answer as BY_NAME says."""
    if name.startswith(("follow:", "official:")):
        return by_name(name, role, method)
    if name in REDIRECTS:
        return 302 if method == "get" else 405
    if not name.startswith("advocate:"):
        return 200 if method == "get" else 405
    if role == "anonymous":
        return "login"
    if method == "post" and name not in ADVOCATE_FORMS:
        return 405  # a page that only reads refuses the method before asking who you are
    if "state" in args and role not in ("advocate of the city", "reviewer"):
        return 403
    return 200


def by_name(name, role, method):
    may_open, post = BY_NAME[name]
    if role == "anonymous" and name.startswith("official:"):
        return "login"
    if role not in may_open:
        return 403
    return 200 if method == "get" else post


def test_every_url_but_django_s_own_and_the_admin_is_walked():
    walked = {name for name, _args in WALKED}
    unwalked = {name for name, _args in ours("") if not name.startswith("admin:")} - walked
    assert not unwalked, f"give these an expectation in the walk: {sorted(unwalked)}"


@pytest.mark.parametrize(("name", "args"), WALKED)
def test_every_url_answers_each_kind_of_person_as_it_should(client, record, people, name, args):
    url = url_for(name, args, record)
    for role, person in people.items():
        client.logout()
        if person:
            logged_in(client, person)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            answer = expected(name, args, role, method)
            if answer == "login":
                assert response.status_code == 302, (url, role, method)
                assert response.url.startswith(reverse("login")), (url, role, method)
            else:
                assert response.status_code == answer, (url, role, method)
            if response.streaming:
                b"".join(response.streaming_content)  # read to its end, which closes it


@pytest.mark.parametrize(("name", "args"), [url for url in ours("follow:") if "token" in url[1]])
def test_a_signed_link_for_no_follower_is_refused_or_tells_nothing(client, record, name, args):
    gone = Follower(pk=0, email="gone@example.org")  # signed as we sign, for no one
    response = client.get(url_for(name, args, record | {"follower": gone}))
    assert response.status_code == DEAD_LINKS[name]


def test_every_admin_url_needs_staff(client, record):
    ProgressUpdateFactory()
    urls = [name for name, _args in ours("admin:")]
    assert urls, "the admin's URLs were found"
    for name, args in ours("admin:"):
        if args:
            continue  # the object pages sit behind the same admin_view as the lists
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response.url, name


def test_the_review_url_needs_staff_and_the_review_permission(client, record):
    update = ProgressUpdateFactory(city=record["city"])
    url = reverse("admin:commitments_progressupdate_review", args=[update.pk])
    assert "/admin/login/" in client.post(url, {"decision": "approve"}).url
    logged_in(client, UserFactory(is_staff=True))
    assert client.post(url, {"decision": "approve"}).status_code == 403
