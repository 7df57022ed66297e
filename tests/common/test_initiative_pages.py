"""Initiatives through the pages: create, list, edit, members, and every bad input."""

from __future__ import annotations

import re

import pytest

from tests.conftest import WebClient, create_account
from tracktwo.store.platform import Platform


def _new(web: WebClient, name: str, sides: list[str], **extra: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "name": name,
        "description": "About the water.",
        "side_id": ["" for _ in sides],
        "side_name": sides,
        "side_colour": ["#0072b2" for _ in sides],
        "languages": ["en", "ar"],
        **extra,
    }
    return web.submit("/initiatives", data, follow_redirects=False)


@pytest.fixture
def owner(web: WebClient, sqlite_platform: Platform) -> WebClient:
    create_account(sqlite_platform, "owner@example.org", "Olga Owner")
    web.login("owner@example.org")
    return web


def test_create_list_and_open_an_initiative(owner: WebClient) -> None:
    response = _new(owner, "Kelmar water", ["Hill villages", "Harbour towns"])
    assert response.status_code == 303
    dashboard = owner.get(response.headers["location"])
    assert dashboard.status_code == 200
    assert "Hill villages" in dashboard.text and "Harbour towns" in dashboard.text
    assert "The initiative was created." in dashboard.text  # shown once
    assert "The initiative was created." not in owner.get(response.headers["location"]).text
    listing = owner.get("/initiatives")
    assert "Kelmar water" in listing.text


@pytest.mark.parametrize(
    ("name", "sides", "message"),
    [
        ("One side only", ["Hill villages", ""], "at least two sides"),
        ("", ["A", "B"], "The initiative name must not be empty."),
        ("Same", ["A", "a"], "Two sides are both called"),
    ],
)
def test_bad_initiatives_are_refused_with_the_form_kept(
    owner: WebClient, name: str, sides: list[str], message: str
) -> None:
    response = _new(owner, name, sides)
    assert response.status_code == 400
    assert message in response.text
    assert "About the water." in response.text  # what was typed is not lost


def test_an_empty_side_name_with_two_others_is_just_a_spare_row(owner: WebClient) -> None:
    response = _new(owner, "Three rows", ["A", "", "B"])
    assert response.status_code == 303


def test_markup_in_names_is_shown_as_text(owner: WebClient) -> None:
    response = _new(owner, "<script>alert(1)</script>", ["<b>A</b>", "B"])
    page = owner.get(response.headers["location"]).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;A&lt;/b&gt;" in page


def test_unknown_initiative_and_no_role(owner: WebClient, sqlite_platform: Platform) -> None:
    missing = owner.get("/initiatives/9999")
    assert missing.status_code == 404 and "There is no initiative with id 9999." in missing.text
    location = _new(owner, "Private", ["A", "B"]).headers["location"]
    create_account(sqlite_platform, "stranger@example.org")
    owner.submit("/logout")
    owner.login("stranger@example.org")
    refused = owner.get(location)
    assert refused.status_code == 403
    assert "You have no role in the initiative “Private”" in refused.text
    assert owner.submit(location + "/edit", {"name": "Mine now"}).status_code == 403


def test_edit_sides_and_languages(owner: WebClient) -> None:
    location = _new(owner, "Kelmar", ["Hill", "Harbour"]).headers["location"]
    form = owner.get(location + "/edit").text
    side_ids = re.findall(r'name="side_id" value="(\d+)"', form)
    assert len(side_ids) == 2
    response = owner.submit(
        location + "/edit",
        {
            "name": "Kelmar island",
            "side_id": [*side_ids, ""],
            "side_name": ["Hill", "Port", "Fishers"],
            "side_colour": ["#111111", "#222222", "#333333"],
            "languages": ["en"],
            "other_languages": "he, el",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = owner.get(location).text
    assert "Kelmar island" in page and "Port" in page and "Fishers" in page
    assert "עברית" in page and "Ελληνικά" in page


def test_members_and_observers(owner: WebClient, sqlite_platform: Platform) -> None:
    location = _new(owner, "Kelmar", ["Hill", "Harbour"]).headers["location"]
    create_account(sqlite_platform, "envoy@example.org", "Envoy")
    added = owner.submit(location + "/members", {"email": "envoy@example.org", "role": "observer"})
    assert added.status_code == 200 and "envoy@example.org was added." in added.text
    invited = owner.submit(
        location + "/members", {"email": "new@example.org", "role": "facilitator"}
    )
    link = re.search(r"http://127\.0\.0\.1:8000(/invitations/[\w-]+)", invited.text)
    assert link, "an invitation link is shown for someone without an account"
    duplicate = owner.submit(location + "/members", {"email": "envoy@example.org", "role": "owner"})
    assert duplicate.status_code == 409 and "already a member" in duplicate.text

    owner.submit("/logout")
    owner.login("envoy@example.org")
    assert owner.get(location).status_code == 200  # observers read the dashboard
    assert owner.get(location + "/members").status_code == 403
    assert owner.get(location + "/edit").status_code == 403

    owner.submit("/logout")
    setup = owner.submit(
        link.group(1),
        {
            "display_name": "Newcomer",
            "password": "a long password",
            "password_again": "a long password",
        },
    )
    assert setup.status_code == 200 and "Kelmar" in setup.text
