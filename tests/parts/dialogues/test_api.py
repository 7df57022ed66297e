"""The whole dialogue flow through the JSON API, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import api_token, create_account, make_client
from tracktwo.parts import job_handlers
from tracktwo.store.platform import Platform
from tracktwo.store.worker import Worker

SEEDS = [
    "The spring belongs to everyone.",
    "A joint council should manage the reservoir.",
    "Leaking pipes should be repaired first.",
    "Water should cost the same everywhere.",
]


@pytest.fixture
def facilitator(platform: Platform):  # type: ignore[no-untyped-def]
    create_account(platform, "fac@example.org", "Facilitator")
    token = api_token(platform, "fac@example.org")
    with make_client(platform) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _setup(facilitator) -> tuple[int, dict[str | None, str]]:  # type: ignore[no-untyped-def]
    initiative = facilitator.post(
        "/api/v1/initiatives",
        json={
            "name": "Kelmar",
            "sides": [{"name": "Hill"}, {"name": "Harbour"}],
            "languages": ["en", "ar"],
        },
    ).json()
    created = facilitator.post(
        f"/api/v1/initiatives/{initiative['id']}/dialogues",
        json={"topic": "Water", "seed_statements": SEEDS, "state": "open", "moderation": "strict"},
    )
    assert created.status_code == 201, created.text
    dialogue = created.json()
    links = {link["side"]: link["url"].rsplit("/j/", 1)[1] for link in dialogue["links"]}
    assert set(links) == {None, "Hill", "Harbour"}
    return dialogue["id"], links


def _participant(platform: Platform, dialogue_id: int, link: str, **extra: object):  # type: ignore[no-untyped-def]
    client = make_client(platform)
    joined = client.post(f"/api/v1/dialogues/{dialogue_id}/join", json={"link": link, **extra})
    assert joined.status_code == 201, joined.text
    client.headers["Authorization"] = f"Bearer {joined.json()['participant_token']}"
    return client, joined.json()


def test_join_vote_add_moderate_and_read_the_analysis(facilitator, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    dialogue_id, links = _setup(facilitator)
    hill, hill_info = _participant(platform, dialogue_id, links["Hill"])
    harbour, harbour_info = _participant(platform, dialogue_id, links["Harbour"], language="ar")
    assert (hill_info["side"], harbour_info["side"], harbour_info["language"]) == (
        "Hill",
        "Harbour",
        "ar",
    )

    for client in (hill, harbour):
        answered = 0
        while True:
            step = client.get(f"/api/v1/dialogues/{dialogue_id}/next-statement").json()
            if step["statement"] is None:
                break
            vote = client.post(
                f"/api/v1/dialogues/{dialogue_id}/votes",
                json={"statement_id": step["statement"]["id"], "value": 1},
                headers={"Idempotency-Key": f"v{answered}"},
            )
            assert vote.status_code == 201, vote.text
            retry = client.post(
                f"/api/v1/dialogues/{dialogue_id}/votes",
                json={"statement_id": step["statement"]["id"], "value": 1},
                headers={"Idempotency-Key": f"v{answered}"},
            )
            assert retry.status_code == 200 and retry.json()["duplicate"] is True
            answered += 1
        assert answered == len(SEEDS)
        assert step["progress"] == {"seen": len(SEEDS), "remaining": 0}

    added = hill.post(
        f"/api/v1/dialogues/{dialogue_id}/statements",
        json={"text": "Shepherds need water for their flocks."},
    )
    assert added.status_code == 201
    statement_id = added.json()["id"]
    assert (
        harbour.get(f"/api/v1/dialogues/{dialogue_id}/next-statement").json()["statement"] is None
    )
    pending = facilitator.get(f"/api/v1/dialogues/{dialogue_id}/statements?state=pending").json()
    assert [s["id"] for s in pending] == [statement_id]
    accepted = facilitator.post(
        f"/api/v1/dialogues/{dialogue_id}/statements/{statement_id}/moderation",
        json={"decision": "accept"},
    )
    assert accepted.json()["state"] == "accepted"
    shown = harbour.get(f"/api/v1/dialogues/{dialogue_id}/next-statement").json()["statement"]
    assert shown["id"] == statement_id

    assert facilitator.get(f"/api/v1/dialogues/{dialogue_id}/analysis").status_code in (200, 204)
    Worker(platform, job_handlers()).drain()
    analysis = facilitator.get(f"/api/v1/dialogues/{dialogue_id}/analysis")
    assert analysis.status_code == 200
    document = analysis.json()
    assert document["format"] == "tracktwo-analysis"
    assert {p["id"] for p in document["participants"]} == {
        hill_info["pseudonym"],
        harbour_info["pseudonym"],
    }
    assert [s["side"] for s in document["sides"]] == ["Hill", "Harbour"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"value": 2}, 422, "value"),
        ({"value": "1"}, 422, "value"),
        ({"value": 1, "statement_id": 999999}, 404, "no statement 999999"),
    ],
)
def test_bad_votes(
    facilitator,
    platform: Platform,
    body: dict[str, object],
    status: int,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    dialogue_id, links = _setup(facilitator)
    client, _ = _participant(platform, dialogue_id, links[None])
    statement = client.get(f"/api/v1/dialogues/{dialogue_id}/next-statement").json()["statement"]
    response = client.post(
        f"/api/v1/dialogues/{dialogue_id}/votes", json={"statement_id": statement["id"], **body}
    )
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_closed_dialogues_revoked_links_and_foreign_tokens(facilitator, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    dialogue_id, links = _setup(facilitator)
    other_id, other_links = _setup(facilitator)
    client, _ = _participant(platform, dialogue_id, links["Hill"])
    statement = client.get(f"/api/v1/dialogues/{dialogue_id}/next-statement").json()["statement"]

    foreign = client.get(f"/api/v1/dialogues/{other_id}/next-statement")
    assert foreign.status_code == 403 and "not joined this dialogue" in foreign.json()["detail"]
    wrong_link = make_client(platform).post(
        f"/api/v1/dialogues/{dialogue_id}/join", json={"link": other_links["Hill"]}
    )
    assert wrong_link.status_code == 400 and "another dialogue" in wrong_link.json()["detail"]

    facilitator.patch(f"/api/v1/dialogues/{dialogue_id}", json={"state": "closed"})
    closed = client.post(
        f"/api/v1/dialogues/{dialogue_id}/votes", json={"statement_id": statement["id"], "value": 1}
    )
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]

    read = facilitator.get(f"/api/v1/dialogues/{dialogue_id}").json()
    link_id = next(link["id"] for link in read["links"] if link["side"] == "Hill")
    with platform.database.transaction() as db:
        from tracktwo.common.accounts.models import User
        from tracktwo.parts.dialogues.actions.dialogues import regenerate_link

        regenerate_link(db, db.query(User).one(), dialogue_id, link_id)
    revoked = make_client(platform).post(
        f"/api/v1/dialogues/{dialogue_id}/join", json={"link": links["Hill"]}
    )
    assert revoked.status_code == 404 and "does not work any more" in revoked.json()["detail"]

    anonymous = make_client(platform).get(f"/api/v1/dialogues/{dialogue_id}/next-statement")
    assert anonymous.status_code == 401


def test_too_long_and_empty_statements_through_the_api(facilitator, platform: Platform) -> None:  # type: ignore[no-untyped-def]
    dialogue_id, links = _setup(facilitator)
    client, _ = _participant(platform, dialogue_id, links["Harbour"])
    long = client.post(f"/api/v1/dialogues/{dialogue_id}/statements", json={"text": "x" * 281})
    assert long.status_code == 400 and "too long" in long.json()["detail"]
    blank = client.post(f"/api/v1/dialogues/{dialogue_id}/statements", json={"text": "   "})
    assert blank.status_code == 400 and "empty" in blank.json()["detail"]
