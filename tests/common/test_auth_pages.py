"""Signing in and out, the CSRF defence, and error pages, through the HTML surface."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute

from tests.conftest import PASSWORD, WebClient, create_account, make_client
from tracktwo.store.platform import Platform
from tracktwo.web.app import create_app


def page_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every page route, looking inside included routers (FastAPI includes them lazily)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from page_routes(route.original_router.routes)


def test_pages_need_a_signed_in_user(web: WebClient) -> None:
    response = web.get("/initiatives", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/initiatives"


def test_sign_in_and_out(web: WebClient, sqlite_platform: Platform) -> None:
    create_account(sqlite_platform, "amal@example.org", "Amal")
    web.login("amal@example.org")
    page = web.get("/initiatives")
    assert page.status_code == 200 and "Amal" in page.text
    web.submit("/logout")
    assert web.get("/initiatives", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_a_401_with_a_message(
    web: WebClient, sqlite_platform: Platform
) -> None:
    create_account(sqlite_platform, "amal@example.org")
    response = web.submit("/login", {"email": "amal@example.org", "password": "wrong password"})
    assert response.status_code == 401
    assert "The email or password is not right." in response.text
    assert 'value="amal@example.org"' in response.text  # the email is kept in the form


def test_sign_in_returns_only_to_local_pages(web: WebClient, sqlite_platform: Platform) -> None:
    create_account(sqlite_platform, "amal@example.org")
    for target, expected in [
        ("/account", "/account"),
        ("https://evil.example/", "/initiatives"),
        ("//evil.example/", "/initiatives"),
    ]:
        response = web.submit(
            "/login",
            {"email": "amal@example.org", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_a_form_without_its_csrf_token_is_refused(
    web: WebClient, sqlite_platform: Platform
) -> None:
    create_account(sqlite_platform, "amal@example.org")
    response = web.post("/login", data={"email": "amal@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert "security token is missing or out of date" in response.text
    forged = web.post(
        "/login",
        data={
            "email": "amal@example.org",
            "password": PASSWORD,
            "csrf_token": "guessed-token-from-another-site",
        },
    )
    assert forged.status_code == 403


def test_every_form_route_checks_the_csrf_token(sqlite_platform: Platform) -> None:
    """Each POST page route refuses a request without the token, whatever else it needs."""
    app = create_app(sqlite_platform)
    posts = [r for r in page_routes(app.routes) if "POST" in r.methods]
    assert len(posts) >= 10
    from sqlalchemy import select

    from tracktwo.common.accounts.models import User
    from tracktwo.common.initiatives.actions import create_initiative

    create_account(sqlite_platform, "amal@example.org")
    with sqlite_platform.database.transaction() as db:
        # Upload routes check the permission before they read the body (and the token in
        # it), so the initiative must exist and be hers for the token to be looked at.
        amal = db.scalars(select(User)).one()
        create_initiative(db, amal, name="Water", sides=["Hill", "Harbour"])
    with make_client(sqlite_platform) as web:
        web.login("amal@example.org")
        for route in posts:
            path = route.path.replace("{initiative_id}", "1").replace("{membership_id}", "1")
            path = path.replace("{token_id}", "1").replace("{token}", "x")
            response = web.post(path, data={"name": "x"})
            if getattr(route.endpoint, "streams_its_body", False) and "{" in path:
                # An upload route for an object that does not exist: the permission check
                # refuses before the body (and its token) is read.
                assert response.status_code in (400, 404), route.path
                continue
            assert response.status_code == 403, f"{route.path} accepted a form without a CSRF token"


def test_security_headers_are_sent(web: WebClient) -> None:
    response = web.get("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "HttpOnly" in response.headers["set-cookie"]


def test_unknown_pages_are_a_friendly_404(web: WebClient) -> None:
    response = web.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address." in response.text
    assert "Traceback" not in response.text


def test_health(web: WebClient) -> None:
    response = web.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_every_id_in_a_path_is_bounded(sqlite_platform: Platform) -> None:
    """A number too large for the database must be a 4xx answer, never an overflow (500)."""
    from tracktwo.web.app import create_api

    routes = [
        *page_routes(create_app(sqlite_platform).routes),
        *page_routes(create_api(sqlite_platform).routes),
    ]
    unbounded = []
    for route in routes:
        for param in route.dependant.path_params:
            if param.name.endswith("_id"):
                limits = {type(m).__name__: m for m in param.field_info.metadata}
                if "Le" not in limits:
                    unbounded.append(f"{route.path} {param.name}")
    assert unbounded == [], "use tracktwo.web.params.PathId for: " + ", ".join(unbounded)
    with make_client(sqlite_platform) as client:
        create_account(sqlite_platform, "a@example.org")
        client.login("a@example.org")
        huge = client.get("/initiatives/9223372036854775808")
        assert huge.status_code == 400 and "less than or equal to" in huge.text
