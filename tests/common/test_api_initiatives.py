"""The JSON API for initiatives and members, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import api_token, create_account, make_client
from tracktwo.store.platform import Platform

BODY = {
    "name": "Kelmar water",
    "description": "Two communities, one spring.",
    "languages": ["en", "ar"],
    "sides": [{"name": "Hill villages", "colour": "#0072b2"}, {"name": "Harbour towns"}],
}


@pytest.fixture
def api(platform: Platform):  # type: ignore[no-untyped-def]
    create_account(platform, "owner@example.org", "Owner")
    token = api_token(platform, "owner@example.org")
    with make_client(platform) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def test_create_read_list_and_update(api, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    created = api.post("/api/v1/initiatives", json=BODY)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["role"] == "owner" and [s["name"] for s in body["sides"]] == [
        "Hill villages",
        "Harbour towns",
    ]
    assert api.get(f"/api/v1/initiatives/{body['id']}").json()["name"] == "Kelmar water"
    assert [i["id"] for i in api.get("/api/v1/initiatives").json()] == [body["id"]]
    sides = [{"id": s["id"], "name": s["name"] + "!"} for s in body["sides"]]
    updated = api.put(
        f"/api/v1/initiatives/{body['id']}", json={**BODY, "name": "Renamed", "sides": sides}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Renamed"
    assert [s["id"] for s in updated.json()["sides"]] == [s["id"] for s in body["sides"]]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"sides": [{"name": "Alone"}]}, 422, "sides"),
        ({"sides": [{"name": ""}, {"name": "B"}]}, 422, "sides.0.name"),
        ({"sides": [{"name": "A"}, {"name": "a"}]}, 400, "Two sides are both called"),
        ({"name": ""}, 422, "'name'"),
        ({"languages": ["zz"]}, 400, "not a language code"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_bodies_get_one_sentence(
    api,
    change: dict[str, object],
    status: int,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    response = api.post("/api/v1/initiatives", json={**BODY, **change})
    assert response.status_code == status
    detail = response.json()["detail"]
    assert isinstance(detail, str) and message in detail and "\n" not in detail


def test_authentication_and_authorisation(api, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    created = api.post("/api/v1/initiatives", json=BODY).json()
    with make_client(platform) as anonymous:
        response = anonymous.get("/api/v1/initiatives")
        assert response.status_code == 401 and "Bearer" in response.json()["detail"]
        bad = anonymous.get("/api/v1/me", headers={"Authorization": "Bearer tt_nonsense"})
        assert bad.status_code == 401 and "not valid" in bad.json()["detail"]
    create_account(platform, "stranger@example.org")
    stranger = api_token(platform, "stranger@example.org")
    with make_client(platform) as other:
        other.headers["Authorization"] = f"Bearer {stranger}"
        refused = other.get(f"/api/v1/initiatives/{created['id']}")
        assert refused.status_code == 403 and "no role" in refused.json()["detail"]
        assert other.get("/api/v1/initiatives/4242").status_code == 404
        assert other.get("/api/v1/initiatives").json() == []


def test_members(api, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    created = api.post("/api/v1/initiatives", json=BODY).json()
    url = f"/api/v1/initiatives/{created['id']}/members"
    create_account(platform, "envoy@example.org", "Envoy")
    added = api.post(url, json={"email": "envoy@example.org", "role": "observer"})
    assert added.status_code == 201 and added.json()["role"] == "observer"
    pending = api.post(url, json={"email": "new@example.org", "role": "facilitator"})
    assert pending.status_code == 202 and "/invitations/" in pending.json()["invitation_url"]
    assert api.post(url, json={"email": "envoy@example.org", "role": "owner"}).status_code == 409
    changed = api.patch(f"{url}/{added.json()['id']}", json={"role": "facilitator"})
    assert changed.json()["role"] == "facilitator"
    assert api.delete(f"{url}/{added.json()['id']}").status_code == 204
    assert [m["email"] for m in api.get(url).json()] == ["owner@example.org"]


def test_openapi_document_is_served_and_lists_errors(api) -> None:  # type: ignore[no-untyped-def]
    document = api.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "tracktwo API"
    post = document["paths"]["/initiatives"]["post"]
    assert {"201", "400", "401", "403", "422"} <= set(post["responses"])
    assert api.get("/api/v1/docs").status_code == 404  # no third-party documentation UI
