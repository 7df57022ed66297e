"""Survey actions on SQLite and PostgreSQL: building, answering, history, import, analysis."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.parts.surveys.helpers import (
    SurveyWorld,
    answer,
    answers_for,
    enrol,
    make_survey_world,
    open_wave_named,
    survey_row,
)
from tracktwo.common.participation.actions import join as join_link
from tracktwo.common.participation.models import Participant
from tracktwo.kernel.errors import Conflict, InvalidInput
from tracktwo.parts.dialogues.actions.dialogues import (
    DialogueSettings,
    create_dialogue,
    set_dialogue_state,
)
from tracktwo.parts.surveys import evaluation as core
from tracktwo.parts.surveys.actions.answers import AnswerProblem, questionnaire_for, respondent_of
from tracktwo.parts.surveys.actions.data import (
    ImportOutcome,
    export_responses_csv,
    import_responses_csv,
    survey_report,
)
from tracktwo.parts.surveys.actions.surveys import (
    add_custom_likert,
    add_instrument,
    edit_item_wording,
    instruments_of,
    set_survey_translation,
)
from tracktwo.parts.surveys.models import SurveyReport, SurveyRespondent, SurveyResponse, WaveState
from tracktwo.store.platform import Platform


@pytest.fixture
def world(platform: Platform) -> SurveyWorld:
    return make_survey_world(platform)


def _count(world: SurveyWorld, model: type) -> int:
    with world.platform.database.transaction() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_survey_is_built_with_waves_and_links(world: SurveyWorld) -> None:
    assert set(world.links) == {"Everyone", "Hill", "Harbour", "Comparison"}
    with world.platform.database.transaction() as db:
        survey = survey_row(world, db)
        assert [wave.name for wave in survey.waves] == ["pre", "post"]
        assert [wave.state for wave in survey.waves] == [WaveState.OPEN, WaveState.DRAFT]
        assert [i.id for i in instruments_of(survey)] == ["thermometer", "outgroup_trust"]


def test_an_answer_out_of_range_is_refused_and_nothing_is_stored(world: SurveyWorld) -> None:
    person, _ = enrol(world, "Hill")
    bad = answers_for(world, "Hill", 120, [4, 4, 4, 4])
    with pytest.raises(AnswerProblem) as caught:
        answer(world, person, bad)
    key = f"thermometer.warmth@side:{world.sides['Harbour']}"
    assert caught.value.key == key and caught.value.kind == "range"
    assert (
        str(caught.value) == f"The answer 120 to question 1 ({key}) is outside the range 0 to 100."
    )
    assert _count(world, SurveyResponse) == 0


def test_a_missing_required_answer_is_named(world: SurveyWorld) -> None:
    person, _ = enrol(world, "Harbour")
    partial = answers_for(world, "Harbour", 50, [4, 4, 4, 4])
    key = f"outgroup_trust.trust3@side:{world.sides['Hill']}"
    partial[key] = ""  # an empty form field means not answered
    with pytest.raises(AnswerProblem) as caught:
        answer(world, person, partial)
    assert caught.value.kind == "missing" and caught.value.number == 4
    assert key in str(caught.value) and "required" in str(caught.value)
    assert _count(world, SurveyResponse) == 0


def test_questions_of_the_other_side_and_of_no_one_else(world: SurveyWorld) -> None:
    person, _ = enrol(world, "Hill")
    wrong_side = answers_for(world, "Harbour", 50, [4, 4, 4, 4])  # about Hill: their own side
    with pytest.raises(AnswerProblem, match="not one of the questions you are asked"):
        answer(world, person, wrong_side)
    with world.platform.database.transaction() as db:
        questionnaire = questionnaire_for(db, db.get(Participant, person.id), world.survey_id, "en")
    first = questionnaire.sections[0].questions[0]
    assert first.text == "Harbour" and first.minimum == 0 and first.maximum == 100
    trust = questionnaire.sections[1].questions[0]
    assert trust.text == "Most Harbour can be trusted."


def test_answering_a_wave_again_replaces_the_answer_and_keeps_the_first(
    world: SurveyWorld,
) -> None:
    person, _ = enrol(world, "Hill")
    first = answer(world, person, answers_for(world, "Hill", 30, [3, 3, 3, 5]))
    second = answer(world, person, answers_for(world, "Hill", 45, [4, 4, 4, 4]))
    with world.platform.database.transaction() as db:
        rows = {row.id: row for row in db.scalars(select(SurveyResponse))}
        assert set(rows) == {first, second}
        assert rows[first].superseded_at is not None and rows[second].superseded_at is None
        assert rows[first].answers[f"thermometer.warmth@side:{world.sides['Harbour']}"] == 30
        from tracktwo.parts.surveys.actions.data import response_sets

        [current] = response_sets(db, survey_row(world, db))
    assert current.answers[f"thermometer.warmth@side:{world.sides['Harbour']}"] == 45


def test_opening_a_wave_closes_the_other_and_closed_waves_take_no_answers(
    world: SurveyWorld,
) -> None:
    person, _ = enrol(world, "Hill")
    open_wave_named(world, "post")
    with world.platform.database.transaction() as db:
        states = {wave.name: wave.state for wave in survey_row(world, db).waves}
    assert states == {"pre": WaveState.CLOSED, "post": WaveState.OPEN}
    answer(world, person, answers_for(world, "Hill", 60, [5, 5, 5, 3]))
    with world.platform.database.transaction() as db:
        from tracktwo.parts.surveys.actions.surveys import set_wave_state

        set_wave_state(db, world.facilitator, world.survey_id, world.waves["post"], "closed")
    with pytest.raises(Conflict, match="no questionnaire to answer"):
        answer(world, person, answers_for(world, "Hill", 60, [5, 5, 5, 3]))


def test_a_dialogue_participant_answers_as_the_same_identity(platform: Platform) -> None:
    world = make_survey_world(platform)
    with platform.database.transaction() as db:
        dialogue = create_dialogue(
            db, world.facilitator, world.initiative_id, DialogueSettings(topic="Water")
        )
        set_dialogue_state(db, world.facilitator, dialogue.id, "open")
        token = next(link.token for link in dialogue.links if link.side is not None)
        joined = join_link(db, token)
        secret = joined.new_secret
        person_id = joined.participant.id
    with platform.database.transaction() as db:
        entered = join_link(db, world.links["Everyone"], secret=secret)
        assert entered.new_secret is None and entered.participant.id == person_id
        respondent = respondent_of(db, world.survey_id, entered.participant)
        assert respondent is not None
        assert respondent.side_id == entered.participant.side_id is not None
    with platform.database.transaction() as db, pytest.raises(Conflict, match="comparison"):
        other = join_link(db, token)
        join_link(db, world.links["Comparison"], secret=other.new_secret)


def test_comparison_link_marks_the_comparison_group(world: SurveyWorld) -> None:
    enrol(world, "Comparison", side=world.sides["Harbour"])
    with world.platform.database.transaction() as db:
        [respondent] = db.scalars(select(SurveyRespondent))
        assert respondent.comparison and respondent.side_id == world.sides["Harbour"]


def test_wording_edits_become_adapted_and_translations_are_shown(world: SurveyWorld) -> None:
    with world.platform.database.transaction() as db:
        edit_item_wording(
            db,
            world.facilitator,
            world.survey_id,
            "outgroup_trust",
            "trust1",
            "Most {side} are honest.",
        )
        with pytest.raises(InvalidInput, match=r"\{side\}"):
            edit_item_wording(
                db, world.facilitator, world.survey_id, "outgroup_trust", "trust2", "People lie."
            )
        set_survey_translation(
            db,
            world.facilitator,
            world.survey_id,
            "outgroup_trust",
            "item:trust1",
            "ar",
            "معظم {side} صادقون.",
        )
        set_survey_translation(
            db,
            world.facilitator,
            world.survey_id,
            "outgroup_trust",
            "label:trust1:7",
            "ar",
            "أوافق بشدة",
        )
        item = instruments_of(survey_row(world, db))[1].item("trust1")
        assert item.wording == "adapted" and item.text["en"] == "Most {side} are honest."
        assert instruments_of(survey_row(world, db))[1].item("trust2").wording == "adapted"
    person, _ = enrol(world, "Hill", language="ar")
    with world.platform.database.transaction() as db:
        questionnaire = questionnaire_for(db, db.get(Participant, person.id), world.survey_id, "ar")
    trust = questionnaire.sections[1].questions
    assert (trust[0].text, trust[0].language) == ("معظم Harbour صادقون.", "ar")
    assert (trust[1].text, trust[1].language) == (
        "I could rely on Harbour to keep their word.",
        "en",
    )
    # the label translation holds for every item with that label
    assert trust[3].labels[-1][1:] == ("أوافق بشدة", "ar")


def test_questions_are_fixed_once_someone_answered(world: SurveyWorld) -> None:
    with world.platform.database.transaction() as db:
        add_custom_likert(
            db,
            world.facilitator,
            world.survey_id,
            "Hope",
            ["I am hopeful about {side}.", "Things will get worse with {side}."],
            reverse=[2],
            about_other_side=True,
        )
    person, _ = enrol(world, "Hill")
    answers = answers_for(world, "Hill", 50, [4, 4, 4, 4])
    other = world.sides["Harbour"]
    answers |= {f"hope.q1@side:{other}": 4, f"hope.q2@side:{other}": 2}
    answer(world, person, answers)
    with world.platform.database.transaction() as db, pytest.raises(Conflict, match="answers"):
        add_instrument(db, world.facilitator, world.survey_id, "perspective_taking")


def _import(world: SurveyWorld, text: str) -> ImportOutcome:
    with world.platform.database.transaction() as db:
        return import_responses_csv(db, world.facilitator, world.survey_id, text)


def test_a_csv_with_an_unknown_column_imports_nothing(world: SurveyWorld) -> None:
    hill, harbour = world.sides["Hill"], world.sides["Harbour"]
    text = (
        "respondent,side,wave,item,value,name\n"
        f"x1,{hill},pre,thermometer.warmth@side:{harbour},40,Someone\n"
    )
    with pytest.raises(InvalidInput, match="unknown column 'name'"):
        _import(world, text)
    assert _count(world, SurveyRespondent) == 0 and _count(world, SurveyResponse) == 0


def _long_rows(respondent: str, side: int, other: int, wave: str, warmth: int) -> str:
    rows = [f"{respondent},{side},{wave},thermometer.warmth@side:{other},{warmth}"]
    rows += [
        f"{respondent},{side},{wave},outgroup_trust.trust{k}@side:{other},4" for k in range(1, 5)
    ]
    return "\n".join(rows) + "\n"


def test_a_csv_that_fails_late_imports_nothing(world: SurveyWorld) -> None:
    hill, harbour = world.sides["Hill"], world.sides["Harbour"]
    person, _ = enrol(world, "Hill")
    answer(world, person, answers_for(world, "Hill", 50, [4, 4, 4, 4]))
    header = "respondent,side,wave,item,value\n"
    # x1 and x2 are fine; the participant is given the wrong side at the very end
    text = (
        header
        + _long_rows("x1", hill, harbour, "pre", 40)
        + _long_rows("x2", harbour, hill, "pre", 60)
        + _long_rows(person.pseudonym, harbour, hill, "post", 70)
    )
    with pytest.raises(InvalidInput, match=f"Respondent {person.pseudonym} answers this survey"):
        _import(world, text)
    assert _count(world, SurveyRespondent) == 1 and _count(world, SurveyResponse) == 1


def test_import_matches_participants_and_keeps_history(world: SurveyWorld) -> None:
    hill, harbour = world.sides["Hill"], world.sides["Harbour"]
    person, _ = enrol(world, "Hill")
    answer(world, person, answers_for(world, "Hill", 50, [4, 4, 4, 4]))
    header = "respondent,side,wave,item,value\n"
    text = (
        header
        + _long_rows(person.pseudonym, hill, harbour, "pre", 55)
        + _long_rows("paper-7", harbour, hill, "pre", 35)
        + _long_rows("paper-7", harbour, hill, "post", 45)
    )
    outcome = _import(world, text)
    assert (outcome.answer_sets, outcome.matched_participants, outcome.new_respondents) == (3, 1, 1)
    assert outcome.replaced == 1
    again = _import(world, header + _long_rows("paper-7", harbour, hill, "post", 47))
    assert (again.new_respondents, again.replaced) == (0, 1)
    assert _count(world, SurveyRespondent) == 2 and _count(world, SurveyResponse) == 5
    with world.platform.database.transaction() as db:
        exported = export_responses_csv(db, world.facilitator, world.survey_id)
    assert (
        f"{person.pseudonym},{hill},pre,treatment,thermometer.warmth@side:{harbour},55," in exported
    )
    assert f"paper-7,{harbour},post,treatment,thermometer.warmth@side:{hill},47," in exported
    with pytest.raises(InvalidInput, match="wave followup"):
        _import(world, header + _long_rows("paper-8", hill, harbour, "followup", 40))


def test_the_analysis_is_analyse_on_the_same_answers(world: SurveyWorld) -> None:
    hill, harbour = world.sides["Hill"], world.sides["Harbour"]
    plan = {
        "Hill": [(40, 52), (35, 50), (50, 58), (45, 47), (30, 44), (55, 61)],
        "Harbour": [(60, 62), (50, 49), (45, 53), (52, 60), (48, 50)],
    }
    people: list[tuple[Participant, str, int, int]] = []
    for side, pairs in plan.items():
        for before, after in pairs:
            person, _ = enrol(world, side)
            people.append((person, side, before, after))
    expected: list[core.ResponseSet] = []
    for wave in ("pre", "post"):
        if wave == "post":
            open_wave_named(world, "post")
        for number, (person, side, before, after) in enumerate(people):
            value = before if wave == "pre" else after
            trust = [1 + (number + k) % 7 for k in range(4)]
            answers = answers_for(world, side, value, trust)
            answer(world, person, answers)
            expected.append(
                core.ResponseSet(
                    person.pseudonym, wave, answers, str(world.sides[side]), "treatment"
                )
            )
    design = core.Survey(
        (core.builtin_instrument("thermometer"), core.builtin_instrument("outgroup_trust")),
        (core.Side(str(hill), "Hill"), core.Side(str(harbour), "Harbour")),
    )
    # the platform hands the answer sets over in the export's order: respondent, then wave
    expected.sort(key=lambda s: (s.respondent, core.wave_order(s.wave)))
    direct = core.analyse(expected, design, min_cell=world.platform.settings.min_cell_size)
    with world.platform.database.transaction() as db:
        stored = survey_report(db, survey_row(world, db), min_cell=5)
        exported = export_responses_csv(db, world.facilitator, world.survey_id)
    assert stored == direct
    change = stored["scales"]["thermometer"]["sides"][str(hill)]
    assert change["n"] == 6 and change["diff"] == pytest.approx(57 / 6)
    assert stored["scales"]["thermometer"]["sides"][str(harbour)]["suppressed"] is False
    # the export read back by the core gives the very same report
    read = core.parse_responses_csv(exported, instruments=design.instruments, sides=design.sides)
    assert core.analyse(read.responses, design, min_cell=5) == stored
    # stored once, reused, and recomputed when an answer changes
    with world.platform.database.transaction() as db:
        assert survey_report(db, survey_row(world, db), min_cell=5) == stored
        assert db.scalar(select(func.count()).select_from(SurveyReport)) == 1
    answer(world, people[0][0], answers_for(world, "Hill", 100, [7, 7, 7, 1]))
    with world.platform.database.transaction() as db:
        changed = survey_report(db, survey_row(world, db), min_cell=5)
        assert changed is not None
        assert changed["scales"]["thermometer"]["sides"][str(hill)]["diff"] > change["diff"]
        assert db.scalar(select(func.count()).select_from(SurveyReport)) == 1


def test_a_set_stored_at_the_same_moment_becomes_history(
    world: SurveyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests for the same wave at once: the database allows one current set, and the
    later request keeps the other as history instead of failing."""
    from tracktwo.parts.surveys.actions.answers import record_response

    person, _ = enrol(world, "Hill")
    first = answer(world, person, answers_for(world, "Hill", 30, [3, 3, 3, 5]))
    with world.platform.database.transaction() as db:
        respondent = db.scalars(select(SurveyRespondent)).one()
        wave = survey_row(world, db).waves[0]
        real = db.scalars
        stale = iter([True])

        def scalars_as_if_before_the_other_request(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
            # the first look for a current set misses the one stored a moment ago
            return iter(()) if next(stale, False) else real(statement, *args, **kwargs)

        monkeypatch.setattr(db, "scalars", scalars_as_if_before_the_other_request)
        stored, replaced = record_response(
            db,
            respondent,
            wave,
            answers_for(world, "Hill", 45, [4, 4, 4, 4]),
            language="en",
            source="web",
        )
        assert replaced is True
        second = stored.id
    with world.platform.database.transaction() as db:
        rows = {row.id: row.superseded_at for row in db.scalars(select(SurveyResponse))}
    assert rows[first] is not None and rows[second] is None
