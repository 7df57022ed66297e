"""Facilitators' survey pages: build a survey from instruments, word and translate its items,
plan its waves, share its links, import and export answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from tracktwo.common.accounts.models import User
from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.actions import get_initiative
from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.common.participation.models import JoinLink
from tracktwo.kernel.errors import InvalidInput, PermissionDenied, TracktwoError
from tracktwo.kernel.parsing import parse_int
from tracktwo.parts.surveys import evaluation as core
from tracktwo.parts.surveys.actions.data import (
    SURVEY_UPLOAD,
    answer_counts,
    check_responses_import,
    export_responses_csv,
    import_responses_file,
)
from tracktwo.parts.surveys.actions.surveys import (
    BASE_LANGUAGE,
    WavePlan,
    active_survey_links,
    add_custom_likert,
    add_custom_numeric,
    add_instrument,
    add_wave,
    create_survey,
    edit_item_wording,
    has_answers,
    instruments_of,
    list_surveys,
    next_wave_name,
    regenerate_survey_link,
    remove_instrument,
    rename_survey,
    set_survey_translation,
    set_wave_state,
    survey_design,
    survey_for,
    survey_translations,
    translation_parts,
    update_wave,
)
from tracktwo.parts.surveys.models import Survey
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.downloads import attachment
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId, form_datetime
from tracktwo.web.templating import environment
from tracktwo.web.uploads import receive_page_upload

router = page_router()
Ctx = Annotated[PageContext, page_context]
PLANNED_WAVES = ("pre", "post", "followup")


def surveys_panel(ctx: PageContext, initiative: Initiative, role: Role) -> Markup:
    return Markup(
        environment.get_template("surveys/panel.html").render(
            initiative=initiative,
            surveys=list_surveys(ctx.db, ctx.user, initiative.id),
            can_manage=role.at_least(Role.FACILITATOR),
        )
    )


def _local(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


def _require_facilitator(ctx: PageContext, initiative_id: int) -> Initiative:
    user = ctx.require_user()
    initiative = get_initiative(ctx.db, user, initiative_id)
    if not (role_in(ctx.db, user, initiative_id) or Role.OBSERVER).at_least(Role.FACILITATOR):
        raise PermissionDenied("Only facilitators and owners can build surveys.")
    return initiative


def _new_form(
    ctx: PageContext,
    initiative: Initiative,
    values: dict[str, object],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return ctx.render(
        "surveys/new.html",
        status_code=status_code,
        initiative=initiative,
        instruments=core.builtin_instruments(),
        planned=PLANNED_WAVES,
        values=values,
        error=error,
    )


@router.get("/initiatives/{initiative_id}/surveys/new")
def new_survey(ctx: Ctx, initiative_id: PathId) -> Response:
    initiative = _require_facilitator(ctx, initiative_id)
    values: dict[str, object] = {
        "title": "",
        "instruments": [],
        "waves": ["pre", "post"],
        "dates": {},
    }
    return _new_form(ctx, initiative, values)


@router.post("/initiatives/{initiative_id}/surveys")
async def create(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    form = await ctx.request.form()
    title = str(form.get("title", ""))
    chosen = [str(value) for value in form.getlist("instrument")]
    waves = [str(value) for value in form.getlist("wave")]
    dates = {
        f"{name}_{end}": str(form.get(f"{name}_{end}", ""))
        for name in PLANNED_WAVES
        for end in ("opens", "closes")
    }
    try:
        with ctx.attempt():
            plans = [
                WavePlan(
                    name,
                    form_datetime(dates[f"{name}_opens"]),
                    form_datetime(dates[f"{name}_closes"]),
                )
                for name in PLANNED_WAVES
                if name in waves
            ]
            survey = create_survey(ctx.db, user, initiative_id, title, chosen, plans)
    except TracktwoError as exc:
        initiative = _require_facilitator(ctx, initiative_id)
        values: dict[str, object] = {
            "title": title,
            "instruments": chosen,
            "waves": waves,
            "dates": dates,
        }
        return _new_form(ctx, initiative, values, exc.message, exc.status_code)
    return ctx.redirect(
        f"/surveys/{survey.id}",
        done="The survey was created. Check its questions, then open the pre wave.",
    )


def _links(ctx: PageContext, survey: Survey) -> list[tuple[JoinLink, str, str]]:
    base = ctx.platform.settings.base_url
    found = []
    for link in active_survey_links(ctx.db, survey):
        if link.comparison:
            label = "Comparison group (side chosen on joining)"
        elif link.side is not None:
            label = link.side.name
        else:
            label = "Everyone (side chosen on joining)"
        found.append((link, label, f"{base}/j/{link.token}"))
    return found


@router.get("/surveys/{survey_id}")
def dashboard(ctx: Ctx, survey_id: PathId) -> Response:
    user = ctx.require_user()
    survey = survey_for(ctx.db, user, survey_id)
    if role_in(ctx.db, user, survey.initiative_id) == Role.OBSERVER:
        return ctx.redirect(f"/surveys/{survey_id}/results")
    return ctx.render(
        "surveys/dashboard.html",
        survey=survey,
        initiative=survey.initiative,
        instruments=instruments_of(survey),
        links=_links(ctx, survey),
        counts=answer_counts(ctx.db, survey),
        next_wave=next_wave_name(survey),
        local=_local,
    )


@router.post("/surveys/{survey_id}/title")
def change_title(ctx: Ctx, survey_id: PathId, title: Annotated[str, Form()] = "") -> Response:
    user = ctx.require_user()
    rename_survey(ctx.db, user, survey_id, title)
    return ctx.redirect(f"/surveys/{survey_id}", done="The title was saved.")


@router.post("/surveys/{survey_id}/waves")
def new_wave(
    ctx: Ctx,
    survey_id: PathId,
    name: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    opens_at: Annotated[str, Form()] = "",
    closes_at: Annotated[str, Form()] = "",
) -> Response:
    user = ctx.require_user()
    plan = WavePlan(name.strip(), form_datetime(opens_at), form_datetime(closes_at), label)
    wave = add_wave(ctx.db, user, survey_id, plan)
    return ctx.redirect(f"/surveys/{survey_id}", done=f"The wave {wave.name} was added.")


@router.post("/surveys/{survey_id}/waves/{wave_id}")
def save_wave(
    ctx: Ctx,
    survey_id: PathId,
    wave_id: PathId,
    label: Annotated[str, Form()] = "",
    opens_at: Annotated[str, Form()] = "",
    closes_at: Annotated[str, Form()] = "",
) -> Response:
    user = ctx.require_user()
    wave = update_wave(
        ctx.db,
        user,
        survey_id,
        wave_id,
        opens_at=form_datetime(opens_at),
        closes_at=form_datetime(closes_at),
        label=label,
    )
    return ctx.redirect(f"/surveys/{survey_id}", done=f"The dates of {wave.name} were saved.")


@router.post("/surveys/{survey_id}/waves/{wave_id}/state")
def change_wave_state(
    ctx: Ctx, survey_id: PathId, wave_id: PathId, state: Annotated[str, Form()] = ""
) -> Response:
    user = ctx.require_user()
    wave = set_wave_state(ctx.db, user, survey_id, wave_id, state)
    return ctx.redirect(
        f"/surveys/{survey_id}", done=f"The wave {wave.name} is now {wave.state.value}."
    )


@router.post("/surveys/{survey_id}/links/{link_id}/regenerate")
def new_link(ctx: Ctx, survey_id: PathId, link_id: PathId) -> Response:
    user = ctx.require_user()
    regenerate_survey_link(ctx.db, user, survey_id, link_id)
    return ctx.redirect(
        f"/surveys/{survey_id}", done="The old link no longer works; share the new one."
    )


# --- questions --------------------------------------------------------------------------------


def _questions_page(
    ctx: PageContext,
    survey: Survey,
    *,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    chosen = {instrument.id for instrument in instruments_of(survey)}
    return ctx.render(
        "surveys/questions.html",
        status_code=status_code,
        survey=survey,
        instruments=instruments_of(survey),
        addable=[i for i in core.builtin_instruments() if i.id not in chosen],
        locked=has_answers(ctx.db, survey.id),
        base_language=BASE_LANGUAGE,
        error=error,
        values=values or {},
    )


@router.get("/surveys/{survey_id}/questions")
def questions(ctx: Ctx, survey_id: PathId) -> Response:
    user = ctx.require_user()
    return _questions_page(ctx, survey_for(ctx.db, user, survey_id, at_least=Role.FACILITATOR))


def _question_change(
    ctx: PageContext,
    survey_id: PathId,
    done: str,
    change: Callable[[User], object],
    values: dict[str, str],
) -> Response:
    """Run one change of the questions; on a problem, show the page again with it."""
    user = ctx.require_user()
    try:
        with ctx.attempt():
            change(user)
    except TracktwoError as exc:
        survey = survey_for(ctx.db, user, survey_id, at_least=Role.FACILITATOR)
        return _questions_page(
            ctx, survey, error=exc.message, status_code=exc.status_code, values=values
        )
    return ctx.redirect(f"/surveys/{survey_id}/questions", done=done)


@router.post("/surveys/{survey_id}/instruments")
def add_one_instrument(
    ctx: Ctx, survey_id: PathId, instrument: Annotated[str, Form()] = ""
) -> Response:
    return _question_change(
        ctx,
        survey_id,
        "The instrument was added.",
        lambda user: add_instrument(ctx.db, user, survey_id, instrument),
        {},
    )


@router.post("/surveys/{survey_id}/instruments/{instrument}/remove")
def remove_one_instrument(ctx: Ctx, survey_id: PathId, instrument: str) -> Response:
    return _question_change(
        ctx,
        survey_id,
        "The instrument was removed.",
        lambda user: remove_instrument(ctx.db, user, survey_id, instrument),
        {},
    )


@router.post("/surveys/{survey_id}/wording")
def change_wording(
    ctx: Ctx,
    survey_id: PathId,
    instrument: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    return _question_change(
        ctx,
        survey_id,
        f"The wording of {instrument}.{item} was saved; it is now labelled adapted.",
        lambda user: edit_item_wording(ctx.db, user, survey_id, instrument, item, text),
        {f"wording:{instrument}.{item}": text},
    )


def _numbers(text: str, what: str) -> list[int]:
    try:
        return [
            parse_int(part, what, minimum=-1_000_000, maximum=1_000_000)
            for part in text.replace(",", " ").split()
        ]
    except InvalidInput:
        raise InvalidInput(f"The {what} must be whole numbers, such as 2 4.") from None


@router.post("/surveys/{survey_id}/custom")
def add_custom(
    ctx: Ctx,
    survey_id: PathId,
    kind: Annotated[str, Form()] = "likert5",
    name: Annotated[str, Form()] = "",
    texts: Annotated[str, Form()] = "",
    reverse: Annotated[str, Form()] = "",
    minimum: Annotated[str, Form()] = "0",
    maximum: Annotated[str, Form()] = "10",
    about_other_side: Annotated[str, Form()] = "",
) -> Response:
    values = {"kind": kind, "name": name, "texts": texts, "reverse": reverse}
    values |= {"minimum": minimum, "maximum": maximum, "about_other_side": about_other_side}
    other = about_other_side == "on"

    def change(user: User) -> None:
        if kind in ("likert5", "likert7"):
            add_custom_likert(
                ctx.db,
                user,
                survey_id,
                name,
                texts.splitlines(),
                points=5 if kind == "likert5" else 7,
                reverse=_numbers(reverse, "reverse-scored statement numbers"),
                about_other_side=other,
            )
        elif kind == "number":
            ends = _numbers(f"{minimum} {maximum}", "smallest and largest answers")
            add_custom_numeric(
                ctx.db,
                user,
                survey_id,
                name,
                texts.strip(),
                minimum=ends[0],
                maximum=ends[-1],
                about_other_side=other,
            )
        else:
            raise InvalidInput("Choose agree/disagree statements or a number question.")

    return _question_change(ctx, survey_id, "Your questions were added.", change, values)


# --- translations -------------------------------------------------------------------------------


def _translation_languages(survey: Survey) -> list[str]:
    return [code for code in survey.initiative.languages if code != BASE_LANGUAGE]


@router.get("/surveys/{survey_id}/translations")
def translations(ctx: Ctx, survey_id: PathId, language: str = "") -> Response:
    user = ctx.require_user()
    survey = survey_for(ctx.db, user, survey_id, at_least=Role.FACILITATOR)
    languages = _translation_languages(survey)
    language = language if language in languages else (languages[0] if languages else "")
    stored = survey_translations(ctx.db, survey.id)
    done = {(t.instrument_id, t.part, t.language) for t in stored}
    entered = {(t.instrument_id, t.part): t.text for t in stored if t.language == language}
    rows = []
    missing = dict.fromkeys(languages, 0)
    for instrument in instruments_of(survey):
        parts = []
        for part, english, _names_side in translation_parts(instrument):
            parts.append((part, english, entered.get((instrument.id, part), "")))
            for code in languages:
                missing[code] += (instrument.id, part, code) not in done
        rows.append((instrument, parts))
    return ctx.render(
        "surveys/translations.html",
        survey=survey,
        language=language,
        languages=languages,
        rows=rows,
        missing=missing,
    )


@router.post("/surveys/{survey_id}/translations")
async def save_translations(ctx: Ctx, survey_id: PathId) -> Response:
    user = ctx.require_user()
    form = await ctx.request.form()
    language = str(form.get("language", ""))
    saved = 0
    for name, value in form.multi_items():
        if not name.startswith("t:") or not isinstance(value, str):
            continue
        instrument_id, _, part = name[2:].partition("|")
        if set_survey_translation(ctx.db, user, survey_id, instrument_id, part, language, value):
            saved += 1
    return ctx.redirect(
        f"/surveys/{survey_id}/translations?language={language}",
        done=f"{saved} translation{'s' if saved != 1 else ''} saved.",
    )


# --- data --------------------------------------------------------------------------------------


@router.get("/surveys/{survey_id}/export.csv")
def export(ctx: Ctx, survey_id: PathId) -> Response:
    user = ctx.require_user()
    text = export_responses_csv(ctx.db, user, survey_id)
    return attachment(text, "text/csv; charset=utf-8", f"tracktwo-survey-{survey_id}.csv")


def _import_page(
    ctx: PageContext, survey: Survey, error: str | None = None, status_code: int = 200
) -> Response:
    design = survey_design(survey)
    first_side = design.sides[0].id if design.sides else None
    return ctx.render(
        "surveys/import.html",
        status_code=status_code,
        survey=survey,
        example_keys=[question.key for question in design.questions(first_side)][:3],
        error=error,
    )


@router.get("/surveys/{survey_id}/import")
def import_form(ctx: Ctx, survey_id: PathId) -> Response:
    user = ctx.require_user()
    return _import_page(ctx, survey_for(ctx.db, user, survey_id, at_least=Role.FACILITATOR))


@router.post("/surveys/{survey_id}/import")
async def import_file(request: Request, ctx: Ctx, survey_id: PathId) -> Response:
    """Import answers from a CSV file. The permission is checked before the body is read;
    the body is streamed to disk within :data:`SURVEY_UPLOAD` (tracktwo.web.uploads)."""
    user = ctx.require_user()

    def refused(exc: TracktwoError) -> Response:
        survey = survey_for(ctx.db, user, survey_id, at_least=Role.FACILITATOR)
        return _import_page(ctx, survey, exc.message, exc.status_code)

    await run_in_threadpool(check_responses_import, ctx.db, user, survey_id)
    try:
        received = await receive_page_upload(request, SURVEY_UPLOAD, file_field="upload")
    except TracktwoError as exc:
        return await run_in_threadpool(refused, exc)

    def work() -> Response:
        with received:
            try:
                with ctx.attempt():  # nothing of the file is kept if any line is refused
                    if received.file is None or received.size == 0:
                        raise InvalidInput("Choose a CSV file of answers to upload.")
                    outcome = import_responses_file(
                        ctx.db, user, survey_id, received.file, received.filename
                    )
            except TracktwoError as exc:
                return refused(exc)
        return ctx.redirect(
            f"/surveys/{survey_id}",
            done=(
                f"Imported {outcome.answer_sets} answer sets from {outcome.respondents} "
                f"respondents ({outcome.matched_participants} recognised as participants, "
                f"{outcome.new_respondents} new; {outcome.replaced} replaced earlier answers, "
                "which stay in the history)."
            ),
        )

    return await run_in_threadpool(work)


import_file.streams_its_body = True  # type: ignore[attr-defined]
