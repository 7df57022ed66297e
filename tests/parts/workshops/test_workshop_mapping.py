"""The influence-mapping step on both engines: votes per showing, decision rules per side,
typed tallies, re-votes and deferrals, the contradiction flow, the plan and the exports."""

from __future__ import annotations

import json
import re

import pytest

from tests.parts.workshops.helpers import World, join, mapping_world, step
from tracktwo.common.accounts.actions import create_user
from tracktwo.common.initiatives.access import SYSTEM
from tracktwo.common.initiatives.actions import add_member
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.parts.workshops.actions.mapping import (
    QUESTION_CLOSED,
    Question,
    cast_pair_vote,
    close_question,
    contradiction_view,
    current_question,
    decisions_of,
    defer_question,
    enter_answer,
    load_map,
    map_overview,
    pair_tallies,
    revise_answer,
    revote_question,
    withdraw_answer,
)
from tracktwo.parts.workshops.actions.plan import ActionInput, add_action_item, update_action_item
from tracktwo.parts.workshops.actions.results import export_json, relations_csv_for, result_for
from tracktwo.parts.workshops.actions.workshops import WorkshopSettings, set_step, update_workshop
from tracktwo.parts.workshops.models import Workshop, WorkshopMap
from tracktwo.store.platform import Platform

Votes = dict[str, bool]


def _question(world: World) -> Question:
    with world.platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        question = current_question(db, workshop)
        assert question is not None
        return question


def _vote(world: World, people: dict[str, Participant], votes: Votes) -> Question:
    question = _question(world)
    with world.platform.database.transaction() as db:
        for name, yes in votes.items():
            cast_pair_vote(db, db.merge(people[name]), world.workshop_id, question.number, yes)
    return question


def _close(world: World, question: Question, room: dict[str, tuple[int, int]] | None = None):  # type: ignore[no-untyped-def]
    with world.platform.database.transaction() as db:
        decision = close_question(db, world.facilitator, world.workshop_id, question.number, room)
        return decision.outcome, decision.reason


def _set_rule(world: World, rule: str, fraction: str = "2/3", mode: str = "in_room") -> None:
    with world.platform.database.transaction() as db:
        update_workshop(
            db,
            world.facilitator,
            world.workshop_id,
            WorkshopSettings(
                title="T", question="Q?", decision_rule=rule, qualified_fraction=fraction, mode=mode
            ),
        )


THREE_TO_ONE: Votes = {"hill1": True, "hill2": True, "harbour1": True, "harbour2": False}


def test_the_map_takes_the_voted_ideas_most_voted_first(platform: Platform) -> None:
    world, _, ideas = mapping_world(platform)
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        loaded = load_map(db, workshop)
        assert loaded is not None
        row, session = loaded
        assert row.idea_ids == ideas  # 4, 3, 2 and 1 votes
        assert session.n == 4 and row.question_number == 1


@pytest.mark.parametrize(
    ("rule", "fraction", "outcome"),
    [
        ("simple_majority", "2/3", "yes"),  # 3 to 1
        ("qualified_majority", "2/3", "yes"),  # 3/4 >= 2/3
        ("qualified_majority", "0.8", "undecided"),  # 3/4 < 4/5
        ("majority_within_each_side", "2/3", "undecided"),  # Harbour is tied 1-1
    ],
)
def test_decision_rules_on_the_votes_per_side(
    platform: Platform, rule: str, fraction: str, outcome: str
) -> None:
    world, people, _ = mapping_world(platform)
    _set_rule(world, rule, fraction)
    question = _vote(world, people, THREE_TO_ONE)
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert pair_tallies(db, workshop, question.number) == {  # type: ignore[arg-type]
            "Hill": (2, 0),
            "Harbour": (1, 1),
        }
    assert _close(world, question)[0] == outcome
    after = _question(world)
    if outcome == "undecided":
        # Still open: more votes, a re-vote or a deferral.
        assert (after.number, after.pair) == (question.number, question.pair)
    else:
        assert after.number == question.number + 1 and after.pair != question.pair
        with platform.database.transaction() as db:
            _, session = load_map(db, db.get(Workshop, world.workshop_id))  # type: ignore[arg-type,misc]
            assert session.cell(*question.pair).value is True


def _versions(world: World) -> tuple[int, int]:
    with world.platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        return workshop.version, workshop.public_version


def test_a_later_vote_replaces_an_earlier_one(platform: Platform) -> None:
    world, people, _ = mapping_world(platform)
    before = _versions(world)
    _vote(world, people, {"hill1": True, "harbour1": False})
    after = _versions(world)
    # Staff pages hear about every vote; phones do not reload for other people's votes.
    assert after[0] > before[0] and after[1] == before[1]
    question = _vote(world, people, {"harbour1": True})
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        tallies = pair_tallies(db, workshop, question.number)  # type: ignore[arg-type]
    assert tallies == {"Hill": (1, 0), "Harbour": (1, 0)}


def test_undeclared_voters_do_not_block_the_within_each_side_rule(platform: Platform) -> None:
    world, people, _ = mapping_world(platform)
    people["nobody"] = join(world, "Everyone")
    _set_rule(world, "majority_within_each_side")
    question = _vote(world, people, {"hill1": True, "harbour1": True, "nobody": False})
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert pair_tallies(db, workshop, question.number)["Undeclared"] == (0, 1)  # type: ignore[arg-type]
    assert _close(world, question)[0] == "yes"


def test_hybrid_mode_adds_the_count_of_the_room(platform: Platform) -> None:
    world, people, _ = mapping_world(platform)
    _set_rule(world, "majority_within_each_side")
    question = _vote(world, people, THREE_TO_ONE)
    with pytest.raises(InvalidInput, match="hybrid"):
        _close(world, question, {"Harbour": (2, 0)})
    _set_rule(world, "majority_within_each_side", mode="hybrid")
    with pytest.raises(InvalidInput, match="not a side"):
        _close(world, question, {"Elsewhere": (2, 0)})
    outcome, _ = _close(world, question, {"Harbour": (2, 0)})  # Harbour: 3 yes, 1 no
    assert outcome == "yes"
    with platform.database.transaction() as db:
        last = decisions_of(db, db.get(Workshop, world.workshop_id))[-1]  # type: ignore[arg-type]
        assert last.device_tallies == {"Hill": [2, 0], "Harbour": [1, 1]}
        assert last.room_tallies == {"Harbour": [2, 0]}
        assert last.rule == "majority_within_each_side" and last.applied


def test_a_stale_or_wrong_vote_is_refused(platform: Platform) -> None:
    world, people, _ = mapping_world(platform)
    question = _question(world)
    with platform.database.transaction() as db:
        hill = db.merge(people["hill1"])
        with pytest.raises(Conflict, match=QUESTION_CLOSED):
            cast_pair_vote(db, hill, world.workshop_id, question.number - 1, True)
        wrong = (question.target.id, question.source.id)
        with pytest.raises(Conflict, match=QUESTION_CLOSED):
            cast_pair_vote(
                db,
                hill,
                world.workshop_id,
                question.number,
                True,
                from_idea_id=wrong[0],
                to_idea_id=wrong[1],
            )
        with pytest.raises(InvalidInput, match="yes or no"):
            cast_pair_vote(db, hill, world.workshop_id, question.number, "yes")  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="already closed"), platform.database.transaction() as db:
        close_question(db, world.facilitator, world.workshop_id, question.number + 1)
    step(world, "voting")
    with platform.database.transaction() as db, pytest.raises(Conflict, match="mapping step"):
        cast_pair_vote(db, db.merge(people["hill1"]), world.workshop_id, question.number, True)


def test_undecided_questions_are_revoted_or_deferred(platform: Platform) -> None:
    world, people, _ = mapping_world(platform)
    question = _vote(world, people, {"hill1": True, "harbour1": False})
    outcome, reason = _close(world, question)
    assert outcome == "undecided" and "tied" in reason
    with platform.database.transaction() as db:
        revote_question(db, world.facilitator, world.workshop_id, question.number)
    again = _question(world)
    assert again.pair == question.pair and again.number == question.number + 1
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert pair_tallies(db, workshop, again.number) == {"Hill": (0, 0), "Harbour": (0, 0)}  # type: ignore[arg-type]
        defer_question(db, world.facilitator, world.workshop_id, again.number)
    later = _question(world)
    assert later.pair != question.pair
    with platform.database.transaction() as db:
        _, session = load_map(db, db.get(Workshop, world.workshop_id))  # type: ignore[arg-type,misc]
        assert session.deferred == (question.pair,)
        kinds = [d.kind for d in decisions_of(db, db.get(Workshop, world.workshop_id))]  # type: ignore[arg-type]
    assert kinds == ["vote", "revote", "defer"]


def _enter(world: World, ideas: list[int], i: int, j: int, yes: bool):  # type: ignore[no-untyped-def]
    with world.platform.database.transaction() as db:
        return enter_answer(db, world.facilitator, world.workshop_id, ideas[i], ideas[j], yes)


def test_a_contradiction_is_shown_with_its_chain_and_never_applied(platform: Platform) -> None:
    world, people, ideas = mapping_world(platform)
    assert _enter(world, ideas, 0, 1, True).applied
    assert _enter(world, ideas, 1, 2, True).applied
    # 0 helps 1 and 1 helps 2, so 0 helps 2 is inferred; the group now disputes it.
    refused = _enter(world, ideas, 0, 2, False)
    assert not refused.applied and refused.contradiction is not None
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        overview = map_overview(db, workshop)  # type: ignore[arg-type]
        assert overview is not None
        assert overview.session.cell(0, 2).value is True  # not overwritten
        view = contradiction_view(overview)
        assert view is not None
        assert (view["answer"]["from"].id, view["answer"]["to"].id) == (ideas[0], ideas[2])
        clash = view["clashes"][0]
        chain = [(r["from"].id, r["to"].id, r["yes"]) for r in clash["known_because"]]
        assert chain == [(ideas[0], ideas[1], True), (ideas[1], ideas[2], True)]
        revisit = [(r["from"].id, r["to"].id) for r in view["revisit"]]
        assert revisit == [(ideas[0], ideas[1]), (ideas[1], ideas[2])]
    # The group revisits "1 helps 2": it goes back to them as the current question.
    with platform.database.transaction() as db:
        withdraw_answer(db, world.facilitator, world.workshop_id, ideas[1], ideas[2])
        row = db.query(WorkshopMap).one()
        assert row.contradiction is None
    question = _question(world)
    assert (question.source.id, question.target.id) == (ideas[1], ideas[2])
    _vote(world, people, {"hill1": False, "harbour1": False})
    assert _close(world, question)[0] == "no"
    assert _enter(world, ideas, 0, 2, False).applied  # consistent now


def test_a_revision_that_clashes_with_a_later_answer_is_refused(platform: Platform) -> None:
    world, _, ideas = mapping_world(platform)
    assert _enter(world, ideas, 1, 2, False).applied
    assert _enter(world, ideas, 0, 1, True).applied
    assert _enter(world, ideas, 0, 2, False).applied
    with platform.database.transaction() as db:
        refused = revise_answer(db, world.facilitator, world.workshop_id, ideas[1], ideas[2], True)
        assert not refused.applied and refused.kind == "revise"
        overview = map_overview(db, db.get(Workshop, world.workshop_id))  # type: ignore[arg-type]
        view = contradiction_view(overview)  # type: ignore[arg-type]
    assert view is not None
    chain = [(r["from"].id, r["to"].id, r["yes"]) for r in view["clashes"][0]["known_because"]]
    # With 1 -> 2 revised to yes, 0 -> 1 and 1 -> 2 make 0 -> 2; the later "no" clashes.
    assert chain == [(ideas[0], ideas[1], True), (ideas[1], ideas[2], True)]
    assert (view["answer"]["from"].id, view["answer"]["to"].id, view["answer"]["yes"]) == (
        ideas[0],
        ideas[2],
        False,
    )
    with platform.database.transaction() as db, pytest.raises(InvalidInput, match="never"):
        revise_answer(db, world.facilitator, world.workshop_id, ideas[2], ideas[3], True)
    with platform.database.transaction() as db, pytest.raises(NotFound, match="influence map"):
        enter_answer(db, world.facilitator, world.workshop_id, 987654, ideas[0], True)


def _finish(world: World, ideas: list[int]) -> None:
    """Answer every open question as a chain 0 -> 1 -> 2 -> 3 would."""
    with world.platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        while (question := current_question(db, workshop)) is not None:  # type: ignore[arg-type]
            i, j = question.pair
            enter_answer(db, world.facilitator, world.workshop_id, ideas[i], ideas[j], i < j)


def test_the_finished_map_the_plan_and_what_observers_get(platform: Platform) -> None:
    world, _, ideas = mapping_world(platform)
    with platform.database.transaction() as db:
        envoy = create_user(db, email="envoy@example.org", password="a long password")
        add_member(
            db, world.facilitator, world.initiative_id, email=envoy.email, role=Role.OBSERVER
        )
        with pytest.raises(Conflict, match="not finished yet"):
            result_for(db, envoy, world.workshop_id)
    _finish(world, ideas)
    with platform.database.transaction() as db:
        with pytest.raises(Conflict, match="action-plan step"):
            add_action_item(db, world.facilitator, world.workshop_id, ActionInput(option="Early"))
        set_step(db, world.facilitator, world.workshop_id, "action_plan")
        result = result_for(db, world.facilitator, world.workshop_id)
        structure = result.structure
        assert structure is not None and structure.complete
        assert [idea.id for idea in result.root_drivers] == [ideas[0]]  # the chain's start
        assert len(structure.levels) == 4
        with pytest.raises(InvalidInput, match="1 to 9"):
            add_action_item(
                db, world.facilitator, world.workshop_id, ActionInput(option="X", track=10)
            )
        with pytest.raises(InvalidInput, match="ideas of the influence map"):
            add_action_item(
                db,
                world.facilitator,
                world.workshop_id,
                ActionInput(option="X", driver_ids=[987654]),
            )
        item = add_action_item(
            db,
            world.facilitator,
            world.workshop_id,
            ActionInput(
                option="Publish the reservoir level weekly.",
                owner="Joint water council",
                track=9,
                driver_ids=[ideas[0]],
            ),
        )
        update_action_item(
            db,
            world.facilitator,
            world.workshop_id,
            item.id,
            ActionInput(option=item.option, owner=item.owner, track=9, status="agreed"),
        )
        csv = relations_csv_for(db, world.facilitator, world.workshop_id)
        assert csv.count("\n") == 1 + 12  # header and every ordered pair
        full = export_json(db, SYSTEM, world.workshop_id)
        assert full["ideas"][0]["author"].startswith("P-")
        assert full["map"]["decisions"] and full["action_plan"][0]["track_name"] == (
            "Communications and the media"
        )
        assert full["action_plan"][0]["status"] == "agreed"
        observed = export_json(db, envoy, world.workshop_id)
        text = json.dumps(observed)
        assert re.search(r"\bP-[2-9A-Z]{6}\b", text) is None
        assert "author" not in text and "by_side" not in text
        assert "decisions" not in observed["map"] and "participants" not in observed
        assert [idea["id"] for idea in observed["ideas"]] == ideas
        with pytest.raises(PermissionDenied):
            add_action_item(db, envoy, world.workshop_id, ActionInput(option="Mine"))
