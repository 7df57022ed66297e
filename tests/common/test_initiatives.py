"""Initiatives, sides and roles: validation and authorisation, on both engines."""

from __future__ import annotations

import pytest

from tracktwo.common.accounts.actions import create_user
from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives import actions
from tracktwo.common.initiatives.actions import SideInput
from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tracktwo.store.platform import Platform

PASSWORD = "a long enough password"


def _users(platform: Platform) -> tuple[User, User]:
    with platform.database.transaction() as db:
        return (
            create_user(db, email="owner@example.org", password=PASSWORD),
            create_user(db, email="other@example.org", password=PASSWORD),
        )


def test_creating_an_initiative_makes_the_creator_its_owner(platform: Platform) -> None:
    owner, _ = _users(platform)
    with platform.database.transaction() as db:
        initiative = actions.create_initiative(
            db,
            owner,
            name="  Water talks ",
            sides=["Hill", SideInput("Harbour", "#123ABC")],
            languages=["en", "ar", "he", "en"],
        )
    with platform.database.transaction() as db:
        [(listed, role)] = actions.list_initiatives(db, owner)
        assert listed.id == initiative.id and role == Role.OWNER
        assert listed.name == "Water talks"
        assert [s.name for s in listed.sides] == ["Hill", "Harbour"]
        assert listed.sides[1].colour == "#123abc"
        assert listed.sides[0].colour.startswith("#")  # a default colour was chosen
        assert listed.languages == ["en", "ar", "he"]


@pytest.mark.parametrize(
    ("sides", "message"),
    [
        (["Only one"], "at least two sides"),
        (["A", "  "], "at least two sides"),
        ([SideInput(""), SideInput("B"), SideInput("C")], None),  # blank rows are skipped
        (["A", "a"], "both called"),
        ([SideInput("A", "red"), "B"], "must look like #1a2b3c"),
        (["x" * 81, "B"], "too long"),
    ],
)
def test_side_rules(platform: Platform, sides: list[SideInput | str], message: str | None) -> None:
    owner, _ = _users(platform)
    with platform.database.transaction() as db:
        if message is None:
            created = actions.create_initiative(db, owner, name="I", sides=sides)
            assert [s.name for s in created.sides] == ["B", "C"]
        else:
            with pytest.raises(InvalidInput, match=message):
                actions.create_initiative(db, owner, name="I", sides=sides)


@pytest.mark.parametrize(
    ("name", "languages", "message"),
    [
        ("", ["en"], "initiative name must not be empty"),
        ("I", ["xx-nonsense"], "not a language code"),
        ("I", [], "at least one language"),
    ],
)
def test_initiative_field_rules(
    platform: Platform, name: str, languages: list[str], message: str
) -> None:
    owner, _ = _users(platform)
    with pytest.raises(InvalidInput, match=message), platform.database.transaction() as db:
        actions.create_initiative(db, owner, name=name, sides=["A", "B"], languages=languages)


def test_roles_are_checked(platform: Platform) -> None:
    owner, other = _users(platform)
    with platform.database.transaction() as db:
        initiative = actions.create_initiative(db, owner, name="I", sides=["A", "B"])
    with platform.database.transaction() as db:
        with pytest.raises(PermissionDenied, match="no role"):
            actions.get_initiative(db, other, initiative.id)
        with pytest.raises(NotFound, match="no initiative with id 424242"):
            actions.get_initiative(db, owner, 424242)
        actions.add_member(db, owner, initiative.id, email=other.email, role="observer")
    with platform.database.transaction() as db:
        assert actions.get_initiative(db, other, initiative.id).id == initiative.id
        with pytest.raises(PermissionDenied, match="owners only"):
            actions.update_initiative(db, other, initiative.id, name="Hijacked", sides=["A", "B"])
        assert actions.list_initiatives(db, other)[0][1] == Role.OBSERVER


def test_editing_keeps_side_identity_and_allows_swapping_names(platform: Platform) -> None:
    owner, _ = _users(platform)
    with platform.database.transaction() as db:
        initiative = actions.create_initiative(db, owner, name="I", sides=["A", "B"])
        a, b = (s.id for s in initiative.sides)
    with platform.database.transaction() as db:
        edited = actions.update_initiative(
            db,
            owner,
            initiative.id,
            name="I2",
            sides=[SideInput("B", id=a), SideInput("A", id=b), SideInput("C")],
        )
        assert [(s.id, s.name) for s in edited.sides][:2] == [(a, "B"), (b, "A")]
        assert len(edited.sides) == 3
    with platform.database.transaction() as db:
        edited = actions.update_initiative(
            db, owner, initiative.id, name="I2", sides=[SideInput("B", id=a), SideInput("A", id=b)]
        )
        assert len(edited.sides) == 2


def test_members_an_initiative_always_keeps_an_owner(platform: Platform) -> None:
    owner, other = _users(platform)
    with platform.database.transaction() as db:
        initiative = actions.create_initiative(db, owner, name="I", sides=["A", "B"])
        own = initiative.memberships[0]
        with pytest.raises(Conflict, match="at least one owner"):
            actions.change_role(db, owner, initiative.id, own.id, "observer")
        with pytest.raises(Conflict, match="at least one owner"):
            actions.remove_member(db, owner, initiative.id, own.id)
        change = actions.add_member(db, owner, initiative.id, email=other.email, role="facilitator")
        assert change.membership is not None
        with pytest.raises(Conflict, match="already a member"):
            actions.add_member(db, owner, initiative.id, email=other.email, role="observer")
        with pytest.raises(InvalidInput, match="not a role"):
            actions.add_member(db, owner, initiative.id, email="x@example.org", role="king")
        invited = actions.add_member(
            db, owner, initiative.id, email="new@example.org", role="observer"
        )
        assert invited.membership is None and invited.invitation is not None
