"""Hostile input on every page route and every form field: a 4xx with one sentence, never a 500.

Nothing here is a hand-written list of routes or fields. The routes come from the app's own
route table, the forms from the pages themselves: a browser signed in as the demo's
facilitator follows every link, joins every invitation it is shown as a participant, and
collects every form. Each route is then attacked

- in each path parameter, with NUL, Unicode digits, huge and negative numbers, long text;
- in each field of each form that posts to it (the other fields as the page drew them),
  with NUL, control characters, a bidi override, Unicode digits, huge numbers, huge text,
  impossible dates and infinite floats;
- in each declared query parameter, and in ``Last-Event-ID`` for event streams.

A refusal must be a 4xx page showing one short sentence; an acceptance is fine, provided
what was stored obeys the text policy: the last test reads every text column of every
table and finds no control character and no bidi override. A route no form reaches and with
no declared field fails the coverage test, so a new part cannot slip past unnoticed.
Runs on SQLite and on PostgreSQL (where NUL once gave a ``psycopg.DataError``).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx2 as httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import String, Text, inspect, select

from tests.conftest import WebClient, _fresh_database_url, _platform, make_client
from tests.harness.forms import Form, Page, crawl, error_messages, local_path
from tracktwo.demo import seed_demo
from tracktwo.platform import Platform
from tracktwo.store.models import Base
from tracktwo.web import create_app
from tracktwo.web import live as live_updates

FIELD_VALUES = {
    "nul": "a\x00b",
    "control": "a\x07\x1bb",
    "bidi": "\u202eevil\u202c ok",
    "unicode-digit": "²",
    "arabic-digit": "٣",
    "huge-int": "9" * 20,
    "negative": "-1",
    "huge-text": "x" * 100_000,
    "date": "0001-01-01T00:00:00+23:59",
    "float": "1e400",
}
PATH_VALUES = {
    "nul": "%00",
    "nul-inside": "a%00b",
    "unicode-digit": quote("²"),
    "huge-int": "9" * 20,
    "negative": "-1",
    "long": "x" * 3000,
    "bidi": quote("\u202e1"),
}
QUERY_VALUES = {
    **{k: FIELD_VALUES[k] for k in ("nul", "control", "bidi", "unicode-digit", "huge-int")},
    "long-text": "x" * 8000,  # about as long as a URL may be
}
EVENT_IDS = {"unicode-digit": "²", "huge-int": "9" * 30, "nul": "1\x00", "negative": "-5"}
# Header values travel as bytes: non-ASCII ones as their UTF-8 bytes, as a client may send.
# Routes that are meant to be left alone by a crawler, with the reason.
NOT_CRAWLED = ("/logout", "/static/")
DOWNLOADS = re.compile(r"\.(zip|csv|png|svg|pdf|json)$|/brief\.")
EXEMPT = {
    "POST /logout": "takes no input; it ends the session the suite needs",
}
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _page_routes(platform: Platform) -> list[APIRoute]:
    routes: list[APIRoute] = []
    pending = list(create_app(platform).routes)
    while pending:
        route = pending.pop(0)
        if hasattr(route, "original_router"):  # FastAPI includes routers lazily
            pending[:0] = route.original_router.routes
        elif isinstance(route, APIRoute):
            routes.append(route)
    return routes


def _route_ids() -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="tracktwo-routes-"))
    platform = _platform(f"sqlite:///{folder / 'routes.db'}", folder)
    names = [f"{m} {r.path}" for r in _page_routes(platform) for m in sorted(r.methods)]
    platform.close()
    return sorted(set(names))


ROUTES = _route_ids()


@dataclass
class Site:
    platform: Platform
    client: WebClient
    routes: dict[str, APIRoute]
    email: str
    password: str
    pages: list[Page] = field(default_factory=list)
    forms: dict[str, list[Form]] = field(default_factory=dict)
    urls: dict[str, list[str]] = field(default_factory=dict)

    def ensure_signed_in(self) -> None:
        """Sign in again if an accepted case ended the session (e.g. a password change)."""
        if self.client.get("/account", follow_redirects=False).status_code != 200:
            self.client.login(self.email, self.password)

    def route_of(self, method: str, path: str) -> str | None:
        bare = path.split("?", 1)[0]
        for name, route in self.routes.items():
            if name.startswith(f"{method} ") and route.path_regex.match(bare):
                return name
        return None


def _fetch(client: WebClient):  # type: ignore[no-untyped-def]
    def fetch(path: str) -> tuple[int, str, str]:
        response = client.get(path, follow_redirects=True)
        return response.status_code, response.headers.get("content-type", ""), response.text

    return fetch


def _skip(path: str) -> bool:
    return path.startswith(NOT_CRAWLED) or bool(DOWNLOADS.search(path)) or "/events" in path


def _join(client: WebClient, invitation: str) -> str | None:
    """Join through an invitation link as a participant would; the page joined, if any."""
    page = client.get(invitation)
    for form in crawl(lambda p: (page.status_code, "text/html", page.text), [invitation],
                      skip=lambda p: False, limit=1):  # fmt: skip
        for candidate in form.forms:
            if candidate.method != "post" or local_path(candidate.action) != invitation:
                continue  # e.g. the header's sign-out form
            for control in candidate.fields:
                if control.kind == "checkbox":
                    control.checked = True
            data = dict(candidate.values())
            data["csrf_token"] = client.csrf
            answer = client.post(invitation, data=data, follow_redirects=True)
            if answer.status_code == 200:
                return local_path(str(answer.url))
    return None


@pytest.fixture(scope="module", params=ENGINES)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    url = _fresh_database_url(request.param, request, tmp)
    platform = _platform(url, tmp)
    with platform.database.transaction() as db:
        access = seed_demo(db)
    with pytest.MonkeyPatch.context() as patch, make_client(platform) as client:
        patch.setattr(live_updates, "STREAM_SECONDS", 0)  # an accepted stream ends at once
        client.login(access.facilitator_email, access.facilitator_password)
        routes = {f"{m} {r.path}": r for r in _page_routes(platform) for m in r.methods}
        built = Site(
            platform, client, routes, access.facilitator_email, access.facilitator_password
        )
        start = ["/initiatives", "/account"]
        for _ in range(2):  # the second round crawls what joining as a participant opened
            for page in crawl(_fetch(client), start, skip=_skip):
                built.pages.append(page)
                path = local_path(page.url) or "/"
                name = built.route_of("GET", path)
                if name:
                    built.urls.setdefault(name, []).append(path)
                for form in page.forms:
                    target = local_path(form.action) or path
                    form_route = built.route_of(form.method.upper(), target)
                    if form_route:
                        built.forms.setdefault(form_route, []).append(form)
                        built.urls.setdefault(form_route, []).append(target)
            invitations = sorted({i for p in built.pages for i in p.invitations})
            start = [joined for i in invitations if (joined := _join(client, i))]
        yield built
    platform.close()


def _verdict(response: httpx.Response) -> str | None:
    """Why this answer breaks the rule, or None when it keeps it."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if status < 400:
        return None
    text = response.text
    if "Traceback" in text or "/tmp/" in text:
        return f"{status} shows a traceback or a server path"
    if "text/html" in response.headers.get("content-type", ""):
        messages = error_messages(text)
        if not messages:
            return f"{status} with no error message on the page"
        message = messages[0]
    else:
        message = str(response.json().get("detail", "")) if text.startswith("{") else text
    if not message or len(message) > 400 or "\n" in message or message[-1] not in ".?!)":
        return f"{status} message is not one short sentence: {message[:120]!r}"
    return None


def _example(site: Site, name: str) -> str:
    """A concrete path of the route (ids from a page the crawler saw), else ids of 1."""
    if site.urls.get(name):
        return site.urls[name][0].split("?", 1)[0]
    route = site.routes[name]
    return re.sub(r"\{[^}]+\}", "1", route.path)


def _with_path_value(site: Site, name: str, param: str, value: str) -> str:
    route = site.routes[name]
    example = _example(site, name)
    match = route.path_regex.match(example)
    values = dict(match.groupdict()) if match else {}
    values[param] = value
    path = route.path
    for key, given in values.items():
        path = re.sub(r"\{" + key + r"(:[^}]*)?\}", given, path)
    return re.sub(r"\{[^}]+\}", "1", path)


def _send(site: Site, method: str, path: str, data: list[tuple[str, str]] | None = None,
          headers: dict[str, str] | None = None) -> httpx.Response:  # fmt: skip
    client = site.client
    raw = {k: v.encode() for k, v in (headers or {}).items()}
    if method == "GET":
        return client.get(path, headers=raw, follow_redirects=False)
    form = [("csrf_token", client.csrf), *[(k, v) for k, v in (data or []) if k != "csrf_token"]]
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in form)
    return client.post(
        path,
        content=body.encode(),
        headers={"content-type": b"application/x-www-form-urlencoded", **raw},
        follow_redirects=False,
    )


def _cases(site: Site, name: str) -> Iterator[tuple[str, str, list[tuple[str, str]] | None, dict[str, str] | None]]:  # fmt: skip
    method, _ = name.split(" ", 1)
    route = site.routes[name]
    forms = site.forms.get(name, [])
    baseline = forms[0].values() if forms else []
    example = _example(site, name)
    for param in route.dependant.path_params:
        for label, value in PATH_VALUES.items():
            path = _with_path_value(site, name, param.alias, value)
            yield f"path {param.alias}={label}", path, baseline, None
    for form in forms[:1]:
        target = local_path(form.action) or example
        for field_name in form.names():
            if field_name in form.file_fields():
                continue
            for label, value in FIELD_VALUES.items():
                data = [(k, value if k == field_name else v) for k, v in baseline]
                if field_name not in dict(baseline):
                    data.append((field_name, value))
                yield f"field {field_name}={label}", target, data, None
    declared = [p.alias for d in [route.dependant, *route.dependant.dependencies]
                for p in d.query_params]  # fmt: skip
    for param in declared:
        for label, value in QUERY_VALUES.items():
            yield f"query {param}={label}", f"{example}?{param}={quote(value)}", baseline, None
    if not forms and method == "POST":
        for param in route.dependant.body_params:
            for label, value in FIELD_VALUES.items():
                yield f"declared {param.alias}={label}", example, [(param.alias, value)], None
    if route.path.endswith("/events"):
        for label, value in EVENT_IDS.items():
            yield f"Last-Event-ID={label}", example, None, {"last-event-id": value}  # type: ignore[dict-item]


@pytest.mark.slow
@pytest.mark.parametrize("name", ROUTES)
def test_no_bad_value_reaches_a_500(site: Site, name: str) -> None:
    if name in EXEMPT:
        pytest.skip(EXEMPT[name])
    method = name.split(" ", 1)[0]
    site.ensure_signed_in()
    failures: list[str] = []
    count = 0
    for label, path, data, headers in _cases(site, name):
        count += 1
        response = _send(site, method, path, data, headers)
        problem = _verdict(response)
        if problem:
            failures.append(f"{label}: {problem}")
    assert not failures, f"{name}: {len(failures)} of {count} cases\n" + "\n".join(failures[:40])


def test_every_route_is_reached_by_a_form_or_declares_its_fields(site: Site) -> None:
    """A POST route that no page offers a form for, and that declares no fields, is untested."""
    unreached = []
    for name, route in site.routes.items():
        if not name.startswith("POST ") or name in EXEMPT:
            continue
        if name not in site.forms and not route.dependant.body_params:
            unreached.append(name)
    assert not unreached, "no form found for: " + ", ".join(sorted(unreached))


_REFUSED_IN_STORE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e]")


def test_what_was_accepted_was_stored_clean(site: Site) -> None:
    """Run last in the module: every text column of every table obeys the text policy."""
    offenders = []
    with site.platform.database.session() as db:
        tables = set(inspect(site.platform.database.engine).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                continue
            for column in table.columns:
                if not isinstance(column.type, String | Text):
                    continue
                for (value,) in db.execute(select(column).where(column.is_not(None))):
                    if isinstance(value, str) and _REFUSED_IN_STORE.search(value):
                        offenders.append(f"{table.name}.{column.name}: {value[:60]!r}")
    assert not offenders, "\n".join(offenders[:30])
