"""Every named URL of the project, from the resolver, with arguments to reach each one: the
tests that guard all URLs (permissions, headers) walk this list, so a new URL joins them."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commitments import following

# Django's own sign-in pages, guarded by Django.
NOT_OURS = {"login", "logout", "password_change", "password_change_done", "password_reset",
            "password_reset_done", "password_reset_confirm", "password_reset_complete",
            "admin:login", "admin:logout"}  # fmt: skip
# What signs the token of each signed link (a new one fails in `url_for` until it is here).
TOKEN_SALTS = {
    "follow:confirm": following.CONFIRM_SALT,
    "follow:unsubscribe": following.UNSUBSCRIBE_SALT,
}


def named_urls(patterns=None, namespace=""):
    """(full name, argument names) of every named URL, walking the resolver."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = pattern.pattern.regex
            yield f"{namespace}{pattern.name}", list(regex.groupindex) or [None] * regex.groups


def ours(prefix):
    return sorted(
        (name, args)
        for name, args in named_urls()
        if name.startswith(prefix) and name not in NOT_OURS
    )


def url_for(name, args, record):
    """The URL `name` with arguments drawn from the record (its city, principle or item, or the
    follower whose signed link it is)."""
    city, principle = record["city"], record["principle"]
    values = {"state": city.state.lower(), "code": "1.1", "language": "es"}
    values["slug"] = city.slug if "state" in args else principle.slug
    if "pk" in args:
        kind = name.split(":")[-1].removesuffix("-detail")
        values["pk"] = record[kind].pk
    if "token" in args:
        values["token"] = following.token(record["follower"], TOKEN_SALTS[name])
    return reverse(name, kwargs={arg: values[arg] for arg in args})


def public_urls():
    return ours("commitments:") + ours("data:") + ours("api:") + ours("healthz")
