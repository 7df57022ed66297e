"""The facilitators' translations page of a workshop: the triggering question and every idea,
each with one small form per language of the initiative.

One form per text and language keeps each save small and its refusal next to what was typed;
an empty text removes the translation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from tracktwo.common.initiatives.models import Role
from tracktwo.kernel.errors import TracktwoError
from tracktwo.parts.workshops.actions.translations import (
    question_language,
    set_idea_translation,
    set_question_translation,
    translation_rows,
)
from tracktwo.parts.workshops.actions.workshops import workshop_for
from tracktwo.parts.workshops.pages.console import NAMES
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.pages import page_router
from tracktwo.web.params import PathId

router = page_router()
Ctx = Annotated[PageContext, page_context]


def _page(
    ctx: PageContext,
    workshop_id: int,
    *,
    error: str | None = None,
    failed: tuple[str, str] | None = None,
    typed: str = "",
    status_code: int = 200,
) -> Response:
    """The page; ``failed`` is the (form, language) a refusal belongs to, shown with ``typed``."""
    user = ctx.require_user()
    workshop = workshop_for(ctx.db, user, workshop_id, at_least=Role.FACILITATOR)
    rows = translation_rows(ctx.db, user, workshop_id)
    languages = workshop.initiative.languages
    return ctx.render(
        "workshops/translations.html",
        status_code=status_code,
        workshop=workshop,
        names=NAMES,
        tab="translations",
        rows=rows,
        languages=languages,
        question_language=question_language(workshop),
        question_texts={t.language: t.text for t in workshop.question_translations},
        missing=sum(len(row.missing(languages)) for row in rows),
        error=error,
        failed=failed,
        typed=typed,
    )


@router.get("/workshops/{workshop_id}/translations")
def translations(ctx: Ctx, workshop_id: PathId) -> Response:
    return _page(ctx, workshop_id)


def _save(
    ctx: PageContext,
    workshop_id: int,
    form_key: str,
    language: str,
    text: str,
    run: Callable[[], object],
) -> Response:
    ctx.require_user()
    try:
        with ctx.attempt():
            run()
    except TracktwoError as exc:
        return _page(
            ctx,
            workshop_id,
            error=exc.message,
            failed=(form_key, language),
            typed=text,
            status_code=exc.status_code,
        )
    done = "The translation was saved." if text.strip() else "The translation was removed."
    return ctx.redirect(f"/workshops/{workshop_id}/translations#{form_key}", done=done)


@router.post("/workshops/{workshop_id}/translations/question")
def save_question(
    ctx: Ctx,
    workshop_id: PathId,
    language: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    return _save(
        ctx,
        workshop_id,
        "question",
        language,
        text,
        lambda: set_question_translation(ctx.db, ctx.user, workshop_id, language, text),
    )


@router.post("/workshops/{workshop_id}/translations/ideas/{idea_id}")
def save_idea(
    ctx: Ctx,
    workshop_id: PathId,
    idea_id: PathId,
    language: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    return _save(
        ctx,
        workshop_id,
        f"idea-{idea_id}",
        language,
        text,
        lambda: set_idea_translation(ctx.db, ctx.user, workshop_id, idea_id, language, text),
    )
