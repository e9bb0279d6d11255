"""Locust's users for `make soak`: anonymous readers, advocates proposing, a reviewer approving.

`bench/soak.py` writes the plan (env SOAK_PLAN: URLs, accounts, cities, actions) and reads back
what happened (env SOAK_RESULTS, one JSON object a line, written as it happens): every proposal
the server accepted, every approval and every 5xx with its URL.
"""

import itertools
import json
import os
import random
import re
from datetime import date, timedelta
from html import unescape
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["SOAK_PLAN"]).read_text())
# Line-buffered, open for the whole run: every line is on disk as soon as it happens.
RESULTS = open(os.environ["SOAK_RESULTS"], "a", buffering=1)  # noqa: SIM115
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PENDING_ROW = re.compile(r'name="_selected_action" value="(\d+)"')
STATUSES = ["not_started", "in_progress", "partially_achieved", "achieved", "reversed"]
KINDS = ["ordinance", "policy", "report", "news", "meeting_record", "statement"]
ADVOCATES = itertools.count()
SUBMISSIONS = itertools.count(1)

# With DEBUG off Django marks the session and CSRF cookies Secure. Browsers send Secure cookies
# to http://127.0.0.1 and http://localhost (potentially trustworthy origins); Python's cookie
# jar sends them over https only. This soak runs over plain HTTP on this machine, so the
# clients behave as a browser here would.
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


def record(kind, **fields):
    RESULTS.write(json.dumps({"kind": kind, **fields}) + "\n")


@events.request.add_listener
def server_errors(request_type, name, response, exception, url=None, **kwargs):
    status = getattr(response, "status_code", None) or 0
    if status >= 500:
        path = urlsplit(url or getattr(response, "url", "") or "").path
        record("5xx", method=request_type, name=name, url=path, status=status)
    elif exception is not None and not status:
        record("error", method=request_type, name=name, url=url, error=repr(exception)[:300])


def csrf_token(response):
    match = CSRF_INPUT.search(response.text)
    return unescape(match.group(1)) if match else ""


def log_in(client, login_url, username, landing):
    """Log in through the login form, as a browser does; True if the server let us in."""
    page = client.get(login_url, name=login_url)
    form = {"username": username, "password": PLAN["password"],
            "csrfmiddlewaretoken": csrf_token(page), "next": landing}  # fmt: skip
    with client.post(
        login_url, form, name=f"{login_url} (POST)", allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code == 302 and urlsplit(response.headers["Location"]).path == landing:
            response.success()
            return True
        response.failure(f"login as {username} refused: {response.status_code}")
        return False


class Reader(HttpUser):
    """Anonymous: every public page kind, feeds, small CSVs and the API; big exports rarely."""

    weight = 1
    wait_time = between(0.05, 0.3)

    @task(20)
    def page(self):
        kind, path = random.choice(PLAN["pages"])
        self.client.get(path, name=kind)

    @task(4)
    def city(self):
        # Any of the demo cities' pages, feed, badge and API record, named by their kind.
        kind, path = random.choice(list(random.choice(PLAN["city_pages"]).items()))
        self.client.get(path, name=kind)

    @task(2)
    def principle(self):
        kind, path = random.choice(list(random.choice(PLAN["principle_pages"]).items()))
        self.client.get(path, name=kind)

    @task(1)
    def big_download(self):
        # The whole updates and evidence logs: rare, as a program fetching the data would be.
        if random.random() < 0.1:
            path = random.choice(PLAN["big_downloads"])
            self.client.get(path, name=path)


class Advocate(HttpUser):
    """One demo advocate account per locust user, proposing updates for its own cities."""

    fixed_count = PLAN["advocate_users"]
    wait_time = between(0.5, 2)

    def on_start(self):
        self.account = PLAN["advocates"][next(ADVOCATES) % len(PLAN["advocates"])]
        self.logged_in = log_in(self.client, "/accounts/login/", self.account["username"],
                                "/advocate/")  # fmt: skip

    @task(1)
    def dashboard(self):
        if self.logged_in:
            self.client.get("/advocate/", name="/advocate/")
            self.client.get("/advocate/submissions/", name="/advocate/submissions/")

    @task(1)
    def workspace(self):
        if self.logged_in:
            city = random.choice(self.account["cities"])
            self.client.get(f"/advocate/cities/{city['state']}/{city['slug']}/",
                            name="/advocate/cities/<state>/<slug>/")  # fmt: skip

    @task(4)
    def propose(self):
        if not self.logged_in:
            return
        city = random.choice(self.account["cities"])
        code = random.choice(PLAN["actions"])
        url = f"/advocate/cities/{city['state']}/{city['slug']}/actions/{code}/propose/"
        name = "/advocate/cities/<state>/<slug>/actions/<code>/propose/"
        htmx = random.random() < 0.5  # the workspace opens the form in place; or its own page
        headers = {"HX-Request": "true"} if htmx else {}
        form_page = self.client.get(url, name=name, headers=headers)
        summary = (f"Soak {PLAN['run']} #{next(SUBMISSIONS)} by {self.account['username']}: "
                   f"{city['slug']} {code}, council minutes reviewed.")  # fmt: skip
        happened_on = date.today() - timedelta(days=random.randint(1, 700))
        data = {
            "csrfmiddlewaretoken": csrf_token(form_page),
            "status": random.choice(STATUSES),
            "summary": summary,
            "happened_on": happened_on.isoformat(),
        }
        if city["evidence"] and random.random() < 0.4:
            data["existing_evidence"] = random.sample(city["evidence"], 1)
        else:
            data.update({
                "evidence_title": f"Minutes for {summary[:60]}",
                "evidence_url": f"https://example.org/soak/{PLAN['run']}/{abs(hash(summary))}",
                "evidence_publisher": "City Clerk",
                "evidence_published_on": (happened_on + timedelta(days=1)).isoformat(),
                "evidence_kind": random.choice(KINDS),
                "evidence_excerpt": "Minutes of the meeting.",
            })  # fmt: skip
        record("attempt", summary=summary)
        with self.client.post(url, data, name=f"{name} (POST)", headers=headers,
                              allow_redirects=False, catch_response=True) as response:  # fmt: skip
            saved = (
                response.status_code == 200 and "<form" not in response.text
                if htmx
                else response.status_code == 302
                and "/advocate/cities/" in response.headers.get("Location", "")
            )
            if saved:
                record("accepted", summary=summary, city=city["slug"], action=code, htmx=htmx)
                response.success()
            elif response.status_code < 500:
                record("refused", summary=summary, status=response.status_code,
                       body=response.text[:2000])  # fmt: skip
                response.failure(f"proposal refused: {response.status_code}")


class Reviewer(HttpUser):
    """A staff member of the Reviewers group approving pending updates from their admin pages."""

    fixed_count = 1
    wait_time = between(0.5, 2)
    changelist = "/admin/commitments/progressupdate/"

    def on_start(self):
        self.logged_in = log_in(self.client, "/admin/login/", PLAN["reviewer"], "/admin/")

    @task(1)
    def index(self):
        if self.logged_in:
            self.client.get("/admin/", name="/admin/")

    @task(4)
    def approve_next(self):
        if not self.logged_in:
            return
        listing = self.client.get(f"{self.changelist}?review_state=pending",
                                  name=f"{self.changelist}?review_state=pending")  # fmt: skip
        pending = PENDING_ROW.findall(listing.text)
        if not pending:
            return
        pk = random.choice(pending[:20])
        change = f"{self.changelist}{pk}/change/"
        page = self.client.get(change, name=f"{self.changelist}<id>/change/")
        with self.client.post(
            f"{self.changelist}{pk}/review/",
            {"csrfmiddlewaretoken": csrf_token(page), "decision": "approve"},
            name=f"{self.changelist}<id>/review/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Approved: on to the next pending item or the list; refused: back to this item.
            if response.status_code == 302 and response.headers.get("Location") != change:
                record("approved", id=int(pk))
                response.success()
            elif response.status_code < 500:
                # The review services may refuse (say, evidence rejected meanwhile): an answer,
                # not an error; soak.py reports how many.
                record("not_approved", id=int(pk), status=response.status_code)
                response.success()
