"""Who may open what, for every URL the resolver knows: a new URL is guarded or this fails."""

import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import ProgressUpdateFactory, ReviewerFactory, UserFactory
from tests.url_list import ours, public_urls, url_for

pytestmark = pytest.mark.django_db


ROLES = ["anonymous", "advocate of another city", "advocate of the city",
         "staff without the review permission", "reviewer"]  # fmt: skip
# What a POST with an empty form gets from each advocate page that takes one: the form again,
# with its messages. The others read only (405).
ADVOCATE_FORMS = {"advocate:propose", "advocate:pledge"}


@pytest.fixture
def people(advocate, other_advocate):
    return dict(
        zip(
            ROLES,
            [
                None,
                other_advocate,
                advocate,
                UserFactory(username="plain-staff", is_staff=True),
                ReviewerFactory(),
            ],  # fmt: skip
            strict=True,
        )
    )


def expected(name, args, role, method):
    """What each kind of person gets: public pages read-only for all; advocate pages need a
    login, and a city's pages need that city assigned or the permission to act on every one."""
    if not name.startswith("advocate:"):
        return 200 if method == "get" else 405
    if role == "anonymous":
        return "login"
    if method == "post" and name not in ADVOCATE_FORMS:
        return 405  # a page that only reads refuses the method before asking who you are
    if "state" in args and role in (ROLES[1], ROLES[3]):
        return 403
    return 200


@pytest.mark.parametrize(("name", "args"), public_urls() + ours("advocate:"))
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
