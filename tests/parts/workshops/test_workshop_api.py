"""Workshops through the JSON API: reading, the export, and phones answering by token."""

from __future__ import annotations

import re

from tests.conftest import api_token, make_client
from tests.parts.workshops.helpers import mapping_world
from tracktwo.common.accounts.actions import create_user
from tracktwo.common.initiatives.actions import add_member
from tracktwo.common.initiatives.models import Role
from tracktwo.store.platform import Platform


def test_read_export_join_and_answer(sqlite_platform: Platform) -> None:
    world, _, ideas = mapping_world(sqlite_platform)
    with sqlite_platform.database.transaction() as db:
        envoy = create_user(db, email="envoy@example.org", password="a long password")
        add_member(
            db, world.facilitator, world.initiative_id, email=envoy.email, role=Role.OBSERVER
        )
    with make_client(sqlite_platform) as staff, make_client(sqlite_platform) as phone:
        staff.headers["Authorization"] = "Bearer " + api_token(sqlite_platform, "fac@example.org")
        listed = staff.get(f"/api/v1/initiatives/{world.initiative_id}/workshops").json()
        assert [w["step"] for w in listed] == ["mapping"] and len(listed[0]["links"]) == 3
        export = staff.get(f"/api/v1/workshops/{world.workshop_id}/export").json()
        assert export["map"]["ideas"] == [1, 2, 3, 4] and "decisions" in export["map"]

        joined = phone.post(
            f"/api/v1/workshops/{world.workshop_id}/join", json={"link": world.links["Harbour"]}
        )
        assert joined.status_code == 201 and joined.json()["side"] == "Harbour"
        phone.headers["Authorization"] = "Bearer " + joined.json()["participant_token"]
        open_now = phone.get(f"/api/v1/workshops/{world.workshop_id}/question").json()["question"]
        assert open_now["source"]["id"] in ideas and open_now["your_answer"] is None
        number = open_now["question_number"]
        answered = phone.post(
            f"/api/v1/workshops/{world.workshop_id}/answers",
            json={"question_number": number, "yes": True},
        )
        assert answered.status_code == 201
        assert answered.json()["question"]["your_answer"] is True
        stale = phone.post(
            f"/api/v1/workshops/{world.workshop_id}/answers",
            json={"question_number": number - 1, "yes": True},
        )
        assert stale.status_code == 409 and "no longer open" in stale.json()["detail"]
        bad = phone.post(
            f"/api/v1/workshops/{world.workshop_id}/answers",
            json={"question_number": number, "yes": "yes"},
        )
        assert bad.status_code == 422

        staff.headers["Authorization"] = "Bearer " + api_token(sqlite_platform, "envoy@example.org")
        refused = staff.get(f"/api/v1/workshops/{world.workshop_id}/export")
        assert refused.status_code == 409 and "not finished" in refused.json()["detail"]
        seen = staff.get(f"/api/v1/workshops/{world.workshop_id}").json()
        assert seen["links"] is None
        assert re.search(r"\bP-[2-9A-Z]{6}\b", str(seen)) is None
