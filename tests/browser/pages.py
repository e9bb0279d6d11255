"""What every page must be in a real browser.

`check_pages` opens each HTML page at one width and returns what went wrong (axe-core's serious
or critical violations, sideways scroll, requests to another host, console errors) and each
page's figures; it saves a full-page screenshot of each page on the way.
"""

import re

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import SCREENSHOTS

SEVERE = ("serious", "critical")
# Pages that draw themselves after "load", and what shows they are done: the API's docs fetch
# the schema, then render it.
READY = {"api:docs": ".swagger-ui .info"}
# What axe leaves out: the Swagger UI that drf-spectacular's sidecar draws on the API's docs is
# not ours to change (its contrast and nested controls); the page around it is checked.
AXE_EXCLUDE = {"api:docs": ["#swagger-ui"]}
AXE = Axe()


def is_html_page(tab, url):
    """A whole HTML document: not a download, a feed, an image or an htmx fragment."""
    response = tab.context.request.get(url)
    body = response.text() if "text/html" in response.headers.get("content-type", "") else ""
    return re.match(r"\s*<!doctype html", body, re.IGNORECASE) is not None


def page_label(name):
    """`commitments:city` -> `city`, `advocate:workspace` -> `advocate-workspace`,
    `es:commitments:city` (its Spanish page) -> `es-city`."""
    return name.replace("commitments:", "").replace(":", "-")


def check_pages(tab, width, pages):
    """Open each (name, url) at `width`; returns (problems, figures) for the pages that are
    HTML documents."""
    problems, figures = [], []
    for name, url in pages:
        if not is_html_page(tab, url):
            continue
        tab.offsite.clear()
        tab.console_errors.clear()
        response = tab.page.goto(url)
        if name in READY:
            tab.page.locator(READY[name]).first.wait_for()
        label = page_label(name)
        found, figure = check_page(tab, width, label, exclude=AXE_EXCLUDE.get(name, []))
        tab.page.screenshot(path=SCREENSHOTS / f"{label}-{width}.png", full_page=True)
        if response.status != 200:
            found.append(f"answered {response.status}")
        problems += [f"{url} at {width}px: {problem}" for problem in found]
        figures.append(figure)
    return problems, figures


def check_page(tab, width, label, exclude=()):
    """What is wrong with the page open in `tab`, and its figures (height, axe's counts);
    axe-core checks all but the `exclude` CSS selectors."""
    page = tab.page
    height, scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollHeight, document.documentElement.scrollWidth,"
        " window.innerWidth]"
    )
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    violations = AXE.run(page, context=context).response["violations"]
    severe = [v for v in violations if v["impact"] in SEVERE]
    problems = [describe(violation) for violation in severe]
    if scroll_width > inner_width:
        problems.append(f"scrolls sideways: {scroll_width}px wide in a {inner_width}px window")
    problems += [f"requested another host: {url}" for url in tab.offsite]
    problems += [f"console error: {error}" for error in tab.console_errors]
    figure = {
        "page": label,
        "width": width,
        "height": height,
        "scroll_width": scroll_width,
        "axe_all": len(violations),
        "axe_severe": len(severe),
        "axe": {v["id"]: [v["impact"], len(v["nodes"])] for v in violations},
    }
    return problems, figure


def describe(violation):
    """`axe serious color-contrast (what it means) on <the first five targets> and N more`."""
    nodes = violation["nodes"]
    targets = ", ".join(" ".join(node["target"]) for node in nodes[:5])
    more = f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""
    return f"axe {violation['impact']} {violation['id']} ({violation['help']}) on {targets}{more}"
