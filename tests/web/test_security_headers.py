"""Headers and cookies over HTTPS: HSTS, __Host- cookies, no-store everywhere, no Server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    PASSWORD,
    WebClient,
    _fresh_database_url,
    _platform,
    api_token,
    create_account,
)
from tracktwo.store.platform import Platform
from tracktwo.web.app import create_app


@pytest.fixture
def https(request: pytest.FixtureRequest, tmp_path: Path) -> WebClient:
    url = _fresh_database_url("sqlite", request, tmp_path)
    platform = _platform(url, tmp_path, secure_cookies=True)
    create_account(platform, "amal@example.org")
    return WebClient(create_app(platform), base_url="https://testserver")


def test_over_https_cookies_are_host_prefixed_secure_and_hsts_is_sent(https: WebClient) -> None:
    with https:
        page = https.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        nonce = page.headers["set-cookie"]
        assert nonce.startswith("__Host-tt_csrf=") and "Secure" in nonce and "Path=/" in nonce
        assert "Domain" not in nonce
        signed_in = https.submit(
            "/login",
            {"email": "amal@example.org", "password": PASSWORD},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        cookies = signed_in.headers.get_list("set-cookie")
        assert any(c.startswith("__Host-tt_session=") and "Secure" in c for c in cookies)
        assert any(c.startswith("__Host-tt_device=") for c in cookies)
        assert https.get("/account").status_code == 200


def test_a_session_set_before_https_was_switched_on_still_works(https: WebClient) -> None:
    """The plain-named cookie of yesterday is still read, so nobody is signed out."""
    with https:
        https.submit("/login", {"email": "amal@example.org", "password": PASSWORD})
        session = https.cookies.get("__Host-tt_session")
        assert session
        https.cookies.clear()
        https.cookies.set("tt_session", session)
        assert https.get("/account", follow_redirects=False).status_code == 200


def test_no_hsts_without_https_and_no_server_header(web: WebClient) -> None:
    page = web.get("/login")
    assert "strict-transport-security" not in page.headers
    assert "server" not in page.headers
    assert page.headers["set-cookie"].startswith("tt_csrf=")


def test_every_page_and_api_answer_is_no_store_but_static_files_may_be_cached(
    web: WebClient,
) -> None:
    for path in ("/login", "/", "/api/v1/openapi.json", "/no-such-page"):
        assert web.get(path).headers["cache-control"] == "no-store", path
    static = web.get("/static/tracktwo.css")
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


def test_a_deeply_nested_json_body_is_a_400(web: WebClient, sqlite_platform: Platform) -> None:
    create_account(sqlite_platform, "amal@example.org")
    token = api_token(sqlite_platform, "amal@example.org")
    body = "[" * 100_000 + "]" * 100_000
    response = web.post(
        "/api/v1/initiatives",
        content=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert response.status_code in (400, 422)
    assert "Traceback" not in response.text and len(response.json()["detail"]) < 200
