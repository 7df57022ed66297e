"""The brief's "What changed" section, called directly (the brief framework is separate)."""

from __future__ import annotations

import re

from tests.parts.surveys.helpers import (
    SurveyWorld,
    answer,
    answers_for,
    enrol,
    make_survey_world,
    open_wave_named,
)
from tracktwo.common.brief.registry import BriefScope, load_sections, registered_sections
from tracktwo.common.initiatives.models import Initiative
from tracktwo.parts.surveys.brief import what_changed
from tracktwo.store.platform import Platform

# (pre, post) thermometer ratings; Hill's mean change is +8, Harbour's +4
PLAN = {
    "Hill": [(40, 50), (35, 41), (50, 58), (45, 51), (30, 40)],
    "Harbour": [(60, 62), (50, 56), (45, 47), (52, 58), (48, 52)],
}


def _scope(world: SurveyWorld, db: object, min_cell: int = 5) -> BriefScope:
    initiative = db.get(Initiative, world.initiative_id)  # type: ignore[attr-defined]
    return BriefScope(db, initiative, [], min_cell)  # type: ignore[arg-type]


def _answered(world: SurveyWorld, plan: dict[str, list[tuple[int, int]]]) -> None:
    people = [(enrol(world, side)[0], side, pair) for side, pairs in plan.items() for pair in pairs]
    for position in (0, 1):
        if position == 1:
            open_wave_named(world, "post")
        for person, side, pair in people:
            answer(world, person, answers_for(world, side, pair[position], [4, 4, 5, 3]))


def test_the_section_is_registered_and_silent_without_results(sqlite_platform: Platform) -> None:
    load_sections()
    assert ("evaluation", 60) in {(key, order) for order, key, _ in registered_sections()}
    world = make_survey_world(sqlite_platform)
    with sqlite_platform.database.transaction() as db:
        assert what_changed(_scope(world, db)) is None  # a survey nobody answered
    _answered(world, {"Hill": PLAN["Hill"][:1]})
    with sqlite_platform.database.transaction() as db:
        section = what_changed(_scope(world, db))
    # one person answered both waves: the section says so, and shows nothing about them
    assert section is not None and section.summary == ""
    assert "Hill: not shown" in section.html and "All participants: not shown" in section.html
    assert "+10" not in section.html


def test_what_changed_per_side_with_intervals(sqlite_platform: Platform) -> None:
    world = make_survey_world(sqlite_platform)
    _answered(world, PLAN)
    with sqlite_platform.database.transaction() as db:
        section = what_changed(_scope(world, db))
    assert section is not None
    assert (section.key, section.title) == ("evaluation", "What changed")
    html = str(section.html)
    assert html.count("<svg") == 2  # one change plot per scale
    assert "Hill: +8.0 (95% CI" in html and "Harbour: +4.0 (95% CI" in html
    assert "All participants: +6.0 (95% CI" in html
    assert "no comparison group" in html
    assert re.search(r"P-[2-9A-Z]{6}", html) is None
    assert section.summary.startswith("Feeling thermometer: +6.0 from pre to post")


def test_small_groups_are_suppressed_at_the_scope_threshold(sqlite_platform: Platform) -> None:
    world = make_survey_world(sqlite_platform)
    _answered(world, {"Hill": PLAN["Hill"], "Harbour": PLAN["Harbour"][:3]})
    with sqlite_platform.database.transaction() as db:
        strict = what_changed(_scope(world, db, min_cell=5))
        loose = what_changed(_scope(world, db, min_cell=3))
    assert strict is not None and loose is not None
    # Harbour has three people: hidden at 5, and Hill with it (Hill = total - Harbour)
    assert "Harbour: not shown" in str(strict.html) and "Hill: not shown" in str(strict.html)
    assert "All participants: +" in str(strict.html)
    assert "Harbour: +" in str(loose.html) and "Hill: +8.0" in str(loose.html)


def test_a_survey_with_only_a_pre_wave_says_nothing(sqlite_platform: Platform) -> None:
    world = make_survey_world(sqlite_platform, waves=("pre",))
    person, _ = enrol(world, "Hill")
    answer(world, person, answers_for(world, "Hill", 50, [4, 4, 4, 4]))
    with sqlite_platform.database.transaction() as db:
        assert what_changed(_scope(world, db)) is None
