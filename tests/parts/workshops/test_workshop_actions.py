"""Workshop actions on both engines: joining, ideas and their history, clusters, votes, steps,
and every bad input a participant or a stale page can send."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.parts.workshops.helpers import IDEAS, add_ideas, idea, join, make_world, step, vote
from tracktwo.common.participation.actions import join as join_link
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.parts.workshops.actions.ideas import (
    add_idea_for,
    answer_question,
    ask_question,
    assign_clusters,
    cast_preferences,
    clarify_own_idea,
    clusters_of,
    create_cluster,
    delete_cluster,
    edit_idea,
    idea_history,
    merge_ideas,
    preference_tallies,
    propose_clustering,
    split_idea,
    submit_idea,
)
from tracktwo.parts.workshops.actions.workshops import (
    WorkshopSettings,
    advance_turn,
    create_workshop,
    regenerate_link,
    set_round_robin,
    set_step,
    update_workshop,
)
from tracktwo.parts.workshops.models import (
    Idea,
    IdeaState,
    PreferenceVote,
    Workshop,
    WorkshopAssignment,
    WorkshopStep,
)
from tracktwo.store.platform import Platform


def test_links_preset_the_side_and_every_assignment_is_logged(platform: Platform) -> None:
    world = make_world(platform)
    assert set(world.links) == {"Everyone", "Hill", "Harbour"}
    hill = join(world, "Hill")
    assert hill.side is not None and hill.side.name == "Hill"
    undeclared = join(world, "Everyone")
    assert undeclared.side_id is None
    with platform.database.transaction() as db:
        secret_holder = join_link(db, world.links["Harbour"], language="ar")
        secret = secret_holder.new_secret
        again = join_link(db, world.links["Hill"], secret=secret)  # another side's link
        assert again.new_secret is None and again.participant.id == secret_holder.participant.id
        assert again.participant.side.name == "Harbour"  # type: ignore[union-attr]
        changed = join_link(db, world.links["Hill"], secret=secret, side="undeclared")
        assert changed.participant.side_id is None
        log = list(
            db.scalars(
                select(WorkshopAssignment.reason)
                .where(WorkshopAssignment.participant_id == changed.participant.id)
                .order_by(WorkshopAssignment.id)
            )
        )
        assert log == ["joined", "changed side"]
        with pytest.raises(InvalidInput, match="Choose one"):
            join_link(db, world.links["Everyone"], side=987654)


def test_a_revoked_link_and_a_closed_workshop_refuse_to_join(platform: Platform) -> None:
    world = make_world(platform)
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        old = next(link for link in workshop.links if link.token == world.links["Hill"])
        fresh = regenerate_link(db, world.facilitator, world.workshop_id, old.id)
        assert fresh.side_id == old.side_id
        with pytest.raises(NotFound, match="does not work any more"):
            join_link(db, world.links["Hill"])
        workshop.step = WorkshopStep.CLOSED
        with pytest.raises(Conflict, match="has ended"):
            join_link(db, fresh.token)


def test_bad_settings_are_one_sentence(platform: Platform) -> None:
    world = make_world(platform)
    bad = [
        ({"title": " "}, "title must not be empty"),
        ({"question": ""}, "triggering question must not be empty"),
        ({"votes_per_participant": 0}, "between 1 and 50"),
        ({"decision_rule": "dictator"}, "decision rule"),
        ({"qualified_fraction": "1/2"}, "above 1/2"),
        ({"qualified_fraction": "two thirds"}, "fraction such as 2/3"),
        ({"mode": "remote"}, "in_room"),
    ]
    for change, message in bad:
        settings = {"title": "T", "question": "Q?", **change}
        with (
            platform.database.transaction() as db,
            pytest.raises(InvalidInput, match=message),
        ):
            update_workshop(db, world.facilitator, world.workshop_id, WorkshopSettings(**settings))  # type: ignore[arg-type]
    with platform.database.transaction() as db:
        workshop = update_workshop(
            db,
            world.facilitator,
            world.workshop_id,
            WorkshopSettings(title="T", question="Q?", qualified_fraction="75%"),
        )
        assert workshop.qualified_fraction == 0.75


def test_ideas_are_cleaned_and_bad_ideas_refused(platform: Platform) -> None:
    world = make_world(platform)
    person = join(world, "Hill")
    with platform.database.transaction() as db:
        me = db.merge(person)
        made = submit_idea(db, me, world.workshop_id, "  The  spring\u202e is\tshared  ", "Why")
        # White space folded; the override became an isolate, closed at the end.
        expected = "The spring\u2067 is shared\u2069"
        assert (made.text, made.number, made.clarification) == (expected, 1, "Why")
        with pytest.raises(InvalidInput, match="U\\+0007"):
            submit_idea(db, me, world.workshop_id, "A bell\x07 rings")
        with pytest.raises(InvalidInput, match="The idea is empty"):
            submit_idea(db, me, world.workshop_id, "   ")
        with pytest.raises(InvalidInput, match="too long"):
            submit_idea(db, me, world.workshop_id, "x" * 201)
        with pytest.raises(Conflict, match="already on the list"):
            submit_idea(db, me, world.workshop_id, "the spring is SHARED.")


def test_participants_act_only_in_their_own_workshop(platform: Platform) -> None:
    world = make_world(platform)
    member = join(world, "Hill")
    with platform.database.transaction() as db:
        other = create_workshop(
            db, world.facilitator, world.initiative_id, WorkshopSettings(title="B", question="Q?")
        )
        outsider = join_link(db, other.links[0].token).participant
        with pytest.raises(PermissionDenied, match="not joined this workshop"):
            submit_idea(db, outsider, world.workshop_id, "An idea from elsewhere.")
        with pytest.raises(PermissionDenied, match="do not know you"):
            submit_idea(db, None, world.workshop_id, "An idea from nobody.")  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            submit_idea(db, db.merge(member), 987654, "An idea for no workshop.")


def test_each_step_accepts_only_its_own_actions(platform: Platform) -> None:
    world = make_world(platform)
    person = join(world, "Hill")
    ideas = add_ideas(world, person, IDEAS[:2])
    with platform.database.transaction() as db:
        me = db.merge(person)
        with pytest.raises(Conflict, match="only during the voting step"):
            cast_preferences(db, me, world.workshop_id, ideas)
        with pytest.raises(Conflict, match="only during the clarification step"):
            ask_question(db, ideas[0], "What does it mean?", participant=me)
    step(world, "clarification")
    with platform.database.transaction() as db:
        with pytest.raises(Conflict, match="only while the workshop is collecting ideas"):
            submit_idea(db, db.merge(person), world.workshop_id, "A late idea.")
        with pytest.raises(Conflict, match="one step at a time"):
            set_step(db, world.facilitator, world.workshop_id, "mapping")
        with pytest.raises(InvalidInput, match="workshop step is one of"):
            set_step(db, world.facilitator, world.workshop_id, "lunch")


def test_moving_forward_needs_ideas_and_votes(platform: Platform) -> None:
    world = make_world(platform)
    with platform.database.transaction() as db, pytest.raises(Conflict, match="two ideas"):
        set_step(db, world.facilitator, world.workshop_id, "clarification")
    person = join(world, "Hill")
    ideas = add_ideas(world, person, IDEAS[:3])
    step(world, "clarification", "clustering", "voting")
    vote(world, person, ideas[:1])
    with platform.database.transaction() as db, pytest.raises(Conflict, match="two ideas need"):
        set_step(db, world.facilitator, world.workshop_id, "mapping")
    step(world, "clustering", "voting")  # back and forth keeps the votes
    vote(world, person, ideas[:2])
    step(world, "mapping")
    with platform.database.transaction() as db:
        with pytest.raises(Conflict, match="not finished"):
            set_step(db, world.facilitator, world.workshop_id, "action_plan")
        set_step(db, world.facilitator, world.workshop_id, "voting")  # nothing answered yet
        assert db.get(Workshop, world.workshop_id).step == WorkshopStep.VOTING  # type: ignore[union-attr]


def test_round_robin_steps_through_the_participants(platform: Platform) -> None:
    world = make_world(platform)
    first, second = join(world, "Hill"), join(world, "Harbour")
    with platform.database.transaction() as db:
        workshop = set_round_robin(db, world.facilitator, world.workshop_id, True)
        assert workshop.turn_participant_id == first.id and workshop.round == 1
        with pytest.raises(Conflict, match="not your turn"):
            submit_idea(db, db.merge(second), world.workshop_id, "Out of turn.")
        made = submit_idea(db, db.merge(first), world.workshop_id, "My turn.")
        assert made.round == 1
        db.refresh(workshop)
        assert workshop.turn_participant_id == second.id
        # The facilitator types the second person's idea in for them; the turn moves on.
        typed = add_idea_for(
            db, world.facilitator, world.workshop_id, "Said aloud.", author_id=second.id
        )
        assert typed.author_id == second.id and typed.entered_by_id == world.facilitator.id
        db.refresh(workshop)
        assert workshop.turn_participant_id == first.id and workshop.round == 2
        advance_turn(db, world.facilitator, world.workshop_id)  # first passes
        db.refresh(workshop)
        assert workshop.turn_participant_id == second.id and workshop.round == 2


def test_merge_and_split_keep_the_history(platform: Platform) -> None:
    world = make_world(platform)
    hill, harbour = join(world, "Hill"), join(world, "Harbour")
    a, b = add_ideas(world, hill, IDEAS[:2])
    (c,) = add_ideas(world, harbour, IDEAS[2:3])
    step(world, "clarification")
    with platform.database.transaction() as db:
        merged = merge_ideas(db, world.facilitator, world.workshop_id, [a, b], "Water is lost.")
        assert merged.author_id == hill.id  # one author: they keep their idea
        for original in (a, b):
            row = idea(db, original)
            assert row.state == IdeaState.MERGED and row.merged_into_id == merged.id
            assert row.text in IDEAS  # the original text is untouched
        assert [r.kind for r in idea_history(db, merged)] == ["merged"]
        assert idea_history(db, merged)[0].related == [a, b]
        with pytest.raises(Conflict, match="already merged"):
            merge_ideas(db, world.facilitator, world.workshop_id, [a, c], "Again.")
        with pytest.raises(InvalidInput, match="at least two"):
            split_idea(db, world.facilitator, c, ["Farmers fear for their land.", "  "])
        pieces = split_idea(db, world.facilitator, c, ["Farmers fear for land.", "And for jobs."])
        assert [p.split_from_id for p in pieces] == [c, c]
        assert all(p.author_id == harbour.id for p in pieces)  # the author can still explain
        original = idea(db, c)
        assert original.state == IdeaState.SPLIT and original.text == IDEAS[2]
        history = idea_history(db, original)
        assert history[-1].kind == "split" and history[-1].related == [p.id for p in pieces]
        edited = edit_idea(db, world.facilitator, pieces[0].id, "Farmers fear for their land.")
        assert idea_history(db, edited)[-1].text_before == "Farmers fear for land."
        active = db.scalar(
            select(func.count(Idea.id)).where(
                Idea.workshop_id == world.workshop_id, Idea.state == IdeaState.ACTIVE
            )
        )
        assert active == 3  # the merged idea and the two pieces


def test_clarification_questions_are_answered_by_the_author(platform: Platform) -> None:
    world = make_world(platform)
    author, other = join(world, "Hill"), join(world, "Harbour")
    (a,) = add_ideas(world, author, IDEAS[:1])
    add_ideas(world, other, IDEAS[1:2])
    with platform.database.transaction() as db:
        clarify_own_idea(db, db.merge(author), a, "Each side counts differently.")
        with pytest.raises(PermissionDenied, match="Only the author"):
            clarify_own_idea(db, db.merge(other), a, "Not mine to explain.")
    step(world, "clarification")
    with platform.database.transaction() as db:
        asked = ask_question(db, a, "Which figures do you mean?", participant=db.merge(other))
        with pytest.raises(PermissionDenied, match="Only the author"):
            answer_question(db, asked.id, "I will answer for them.", participant=db.merge(other))
        with pytest.raises(InvalidInput, match="Write your answer first"):
            answer_question(db, asked.id, " ", participant=db.merge(author))
        answered = answer_question(
            db, asked.id, "The reservoir levels.", participant=db.merge(author)
        )
        assert answered.answered_by_id == author.id and answered.answered_at is not None
        typed = ask_question(db, a, "And the rainfall?", actor=world.facilitator)
        assert typed.asked_by_user_id == world.facilitator.id
        assert [r.kind for r in idea_history(db, idea(db, a))] == ["clarified"]


def test_clusters_proposed_edited_and_removed(platform: Platform) -> None:
    world = make_world(platform)
    person = join(world, "Hill")
    texts = [
        "The water pipes leak badly.",
        "Leaking water pipes waste the reservoir.",
        "Farmers fear losing their land.",
        "Farmers fear losing their land to the town.",
    ]
    ids = add_ideas(world, person, texts)
    step(world, "clarification")
    with platform.database.transaction() as db, pytest.raises(Conflict, match="clustering step"):
        create_cluster(db, world.facilitator, world.workshop_id, "Too early")
    step(world, "clustering")
    with platform.database.transaction() as db:
        made = propose_clustering(db, world.facilitator, world.workshop_id)
        groups = sorted(
            sorted(i.id for i in db.scalars(select(Idea).where(Idea.cluster_id == c.id)))
            for c in made
        )
        assert groups == [ids[:2], ids[2:]]
        assert propose_clustering(db, world.facilitator, world.workshop_id) == []  # all placed
        own = create_cluster(db, world.facilitator, world.workshop_id, "Trust")
        assert assign_clusters(db, world.facilitator, world.workshop_id, {ids[0]: own.id}) == 1
        with pytest.raises(NotFound):
            assign_clusters(db, world.facilitator, world.workshop_id, {ids[0]: 987654})
        delete_cluster(db, world.facilitator, world.workshop_id, own.id)
        assert idea(db, ids[0]).cluster_id is None
        assert len(clusters_of(db, world.workshop_id)) == 2


def test_preference_votes_replace_the_ballot_and_keep_it(platform: Platform) -> None:
    world = make_world(platform, votes_per_participant=2)
    hill, harbour, nobody = join(world, "Hill"), join(world, "Harbour"), join(world)
    ideas = add_ideas(world, hill, IDEAS)
    step(world, "clarification", "clustering", "voting")
    with platform.database.transaction() as db:
        with pytest.raises(InvalidInput, match="too many ideas"):
            cast_preferences(db, db.merge(hill), world.workshop_id, ideas[:3])
        with pytest.raises(InvalidInput, match="at least one"):
            cast_preferences(db, db.merge(hill), world.workshop_id, [])
        with pytest.raises(NotFound, match="not in this workshop"):
            cast_preferences(db, db.merge(hill), world.workshop_id, [987654])
    vote(world, hill, [ideas[0], ideas[1]])
    vote(world, hill, [ideas[2], ideas[2]])  # changed their mind; a repeat counts once
    vote(world, harbour, [ideas[2], ideas[3]])
    vote(world, nobody, [ideas[3]])
    with platform.database.transaction() as db:
        workshop = db.get(Workshop, world.workshop_id)
        assert workshop is not None
        tallies = {t.idea.id: (t.total, t.by_side) for t in preference_tallies(db, workshop)}
        assert tallies[ideas[2]] == (2, {"Hill": 1, "Harbour": 1, "Undeclared": 0})
        assert tallies[ideas[3]] == (2, {"Hill": 0, "Harbour": 1, "Undeclared": 1})
        assert tallies[ideas[0]][0] == 0
        kept = db.scalar(
            select(func.count(PreferenceVote.id)).where(PreferenceVote.participant_id == hill.id)
        )
        assert kept == 3  # the replaced ballot is still on record
        order = [t.idea.id for t in preference_tallies(db, workshop)]
        assert order == [ideas[2], ideas[3], ideas[0], ideas[1]]  # votes, then idea number
