"""Every public URL sends a strict Content-Security-Policy, and no page needs inline script or
style to work under it; malformed paths and parameters are 404 or 400, never 500."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.url_list import public_urls, url_for

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts, style elements and
    attributes, and event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{name}= on <{tag}>" for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.found.append(f"style= on <{tag}>")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(("name", "args"), public_urls())
def test_every_public_url_sends_a_strict_policy_and_needs_no_inline_code(
    client, record, name, args
):
    response = client.get(url_for(name, args, record), HTTP_ACCEPT="text/html")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    if response["Content-Type"].startswith("text/html"):
        html = b"".join(response).decode() if response.streaming else response.content.decode()
        assert inline_code(html) == [], name


def test_the_inline_code_check_can_fail():
    found = inline_code('<p style="color:red" onclick="x()"><script>alert(1)</script>')
    assert len(found) == 3


def test_the_api_documentation_loads_its_script_from_this_site(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert inline_code(html) == []
    assert "<script src=" in html


@pytest.mark.parametrize(
    "url",
    [
        "/advocate/cities/mn/minneapolis/actions/%00/",
        "/advocate/cities/mn/minneapolis/actions/1.1%00/propose/",
        "/advocate/cities/mn/minneapolis/actions/..%2F/",
        "/cities/mn/%00/",
        "/principles/%00/",
        "/api/cities/mn/%00/",
        "/api/updates/%00/",
    ],
)
def test_malformed_paths_are_not_found(client, city, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/schema/?version=%00",
        "/api/schema/?format=%00",
        "/api/updates/?q=%00",
        "/api/updates/?cursor=%00",
        "/updates/?q=%00&city=%00",
        "/cities/?q=%00",
        "/data/updates.csv?state=%00",
    ],
)
def test_malformed_parameters_get_an_answer_not_a_server_error(client, city, url):
    assert client.get(url).status_code in (200, 400, 404)
