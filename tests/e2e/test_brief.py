"""The Track One brief in Chromium: the downloaded file loads nothing from anywhere, and the
served page keeps its look under its own Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.common.brief.conftest import Demo, demo  # noqa: F401  (the fixture, shared with tests/brief)
from tests.conftest import make_client

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("brief-demo")]


def _computed(page: Page, selector: str, prop: str) -> str:
    value: str = page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")
    return value


def test_downloaded_brief_makes_no_request_and_keeps_rtl(
    browser: Browser,
    demo: Demo,  # noqa: F811
    tmp_path: Path,
) -> None:
    with make_client(demo.platform) as client:
        client.login(demo.access.facilitator_email, demo.access.facilitator_password)
        download = client.get(f"/initiatives/{demo.access.initiative_id}/brief.html")
    assert download.status_code == 200
    file = tmp_path / "brief.html"
    file.write_bytes(download.content)
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(file.as_uri())
    page.wait_for_load_state("networkidle")
    assert requests and all(url == file.as_uri() or url.startswith("data:") for url in requests)
    assert page.locator("#opinion-map svg.opinion-map").count() == 1
    assert page.locator("#common-ground svg.agreement-bars").count() >= 3
    assert _computed(page, 'li[lang="ar"]', "direction") == "rtl"
    assert _computed(page, ".statement-text", "direction") == "ltr"
    assert _computed(page, "body", "maxWidth") == "768px"  # the inline stylesheet applies
    context.close()


def test_served_brief_keeps_its_style_under_its_policy(
    browser: Browser,
    demo: Demo,  # noqa: F811
) -> None:
    with make_client(demo.platform) as client:
        client.login(demo.access.observer_email, demo.access.observer_password)
        served = client.get(f"/dialogues/{demo.access.parts['dialogues'].ids[0]}/brief")
    assert served.status_code == 200

    def load(policy: str) -> tuple[str, list[str], list[str]]:
        context = browser.new_context()
        page = context.new_page()
        requests: list[str] = []
        refused: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on(
            "console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None
        )

        def answer(route: Route) -> None:
            route.fulfill(
                status=200,
                body=served.text,
                headers={
                    "content-type": "text/html; charset=utf-8",
                    "content-security-policy": policy,
                },
            )

        page.route("http://brief.test/**", answer)
        page.goto("http://brief.test/brief")
        page.wait_for_load_state("networkidle")
        width = _computed(page, "body", "maxWidth")
        context.close()
        return width, requests, refused

    width, requests, refused = load(served.headers["content-security-policy"])
    assert width == "768px" and refused == []
    assert requests == ["http://brief.test/brief"]
    # the control: under the site's own policy the same inline style would be refused
    width, _, refused = load("default-src 'self'; style-src 'self'")
    assert width != "768px" and refused
