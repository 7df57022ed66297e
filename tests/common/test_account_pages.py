"""The account page: API tokens created in the UI, and changing the password."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD, WebClient, create_account
from tracktwo.store.platform import Platform


def test_create_use_and_revoke_a_token_from_the_ui(
    web: WebClient, sqlite_platform: Platform
) -> None:
    create_account(sqlite_platform, "amal@example.org", "Amal")
    web.login("amal@example.org")
    page = web.submit("/account/tokens", {"name": "my notebook"})
    token = re.search(r"(tt_[\w-]{20,})", page.text)
    assert token and "will not be shown again" in page.text
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert web.get("/api/v1/me", headers=headers).json()["email"] == "amal@example.org"
    token_id = re.search(r"/account/tokens/(\d+)/revoke", page.text)
    assert token_id
    web.submit(f"/account/tokens/{token_id.group(1)}/revoke")
    assert web.get("/api/v1/me", headers=headers).status_code == 401
    assert token.group(1) not in web.get("/account").text


def test_change_password(web: WebClient, sqlite_platform: Platform) -> None:
    create_account(sqlite_platform, "amal@example.org")
    web.login("amal@example.org")
    wrong = web.submit(
        "/account/password",
        {"current_password": "nope", "new_password": "x" * 12, "new_password_again": "x" * 12},
    )
    assert wrong.status_code == 403 and "current password is not right" in wrong.text
    differ = web.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "x" * 12, "new_password_again": "y" * 12},
    )
    assert differ.status_code == 400 and "differ" in differ.text
    done = web.submit(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "x" * 12, "new_password_again": "x" * 12},
    )
    assert done.status_code == 200 and "sign in again" in done.text
    web.login("amal@example.org", "x" * 12)
