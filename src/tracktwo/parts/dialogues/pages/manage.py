"""Facilitators' dialogue pages: create, run, links, moderation, translations, import/export."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from tracktwo.common.initiatives.access import role_in
from tracktwo.common.initiatives.actions import get_initiative
from tracktwo.common.initiatives.models import Initiative, Role
from tracktwo.kernel.errors import InvalidInput, TracktwoError
from tracktwo.kernel.parsing import parse_int
from tracktwo.parts.dialogues.actions.dialogues import (
    DialogueSettings,
    active_links,
    add_seed_statements,
    create_dialogue,
    dialogue_for,
    dialogue_summary,
    list_dialogues,
    regenerate_link,
    set_dialogue_state,
    update_dialogue,
)
from tracktwo.parts.dialogues.actions.moderation import (
    REJECTION_REASONS,
    moderate,
    moderation_queue,
    set_translation,
    translation_queue,
)
from tracktwo.parts.dialogues.actions.polis import (
    POLIS_UPLOAD,
    check_polis_import,
    export_polis_zip,
    import_polis_zip,
)
from tracktwo.parts.dialogues.models import Dialogue
from tracktwo.web.context import PageContext, page_context
from tracktwo.web.downloads import attachment
from tracktwo.web.pages import page_router
from tracktwo.web.params import IdField, PathId, form_datetime
from tracktwo.web.templating import environment
from tracktwo.web.uploads import receive_page_upload

router = page_router()
Ctx = Annotated[PageContext, page_context]


def dialogues_panel(ctx: PageContext, initiative: Initiative, role: Role) -> Markup:
    dialogues = list_dialogues(ctx.db, ctx.user, initiative.id)
    return Markup(
        environment.get_template("dialogues/panel.html").render(
            initiative=initiative,
            dialogues=dialogues,
            can_manage=role.at_least(Role.FACILITATOR),
        )
    )


class DialogueForm(BaseModel):
    """The dialogue form as submitted: text fields, checkboxes ("on" or absent)."""

    topic: str = ""
    prompt: str = ""
    seeds: str = ""
    allow_statements: str = ""
    moderation: str = "strict"
    statement_limit: str = "5"
    max_length: str = "280"
    prioritize_seed: str = ""
    opens_at: str = ""
    closes_at: str = ""

    def settings(self) -> DialogueSettings:
        def number(value: str, what: str) -> int:
            return parse_int(value, what)

        return DialogueSettings(
            topic=self.topic,
            prompt=self.prompt,
            allow_statements=self.allow_statements == "on",
            moderation=self.moderation,
            statement_limit=number(self.statement_limit, "statement limit"),
            max_length=number(self.max_length, "longest statement"),
            prioritize_seed=self.prioritize_seed == "on",
            opens_at=form_datetime(self.opens_at),
            closes_at=form_datetime(self.closes_at),
        )

    def values(self) -> dict[str, object]:
        """What to put back into the form when it must be shown again."""
        return {
            **self.model_dump(),
            "allow_statements": self.allow_statements == "on",
            "prioritize_seed": self.prioritize_seed == "on",
        }


def _form_page(
    ctx: PageContext,
    initiative: Initiative,
    dialogue: Dialogue | None,
    values: dict[str, object],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return ctx.render(
        "dialogues/form.html",
        status_code=status_code,
        initiative=initiative,
        dialogue=dialogue,
        values=values,
        error=error,
    )


def _values(dialogue: Dialogue | None) -> dict[str, object]:
    if dialogue is None:
        return {
            "topic": "",
            "prompt": "",
            "allow_statements": True,
            "moderation": "strict",
            "statement_limit": 5,
            "max_length": 280,
            "prioritize_seed": True,
            "opens_at": "",
            "closes_at": "",
            "seeds": "",
        }
    return {
        "topic": dialogue.topic,
        "prompt": dialogue.prompt,
        "allow_statements": dialogue.allow_statements,
        "moderation": dialogue.moderation.value,
        "statement_limit": dialogue.statement_limit,
        "max_length": dialogue.max_length,
        "prioritize_seed": dialogue.prioritize_seed,
        "opens_at": dialogue.opens_at.strftime("%Y-%m-%dT%H:%M") if dialogue.opens_at else "",
        "closes_at": dialogue.closes_at.strftime("%Y-%m-%dT%H:%M") if dialogue.closes_at else "",
        "seeds": "",
    }


@router.get("/initiatives/{initiative_id}/dialogues/new")
def new_dialogue(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    initiative = get_initiative(ctx.db, user, initiative_id)
    if not (role_in(ctx.db, user, initiative_id) or Role.OBSERVER).at_least(Role.FACILITATOR):
        return ctx.render(
            "error.html",
            status_code=403,
            status=403,
            message="Only facilitators and owners can create dialogues.",
        )
    return _form_page(ctx, initiative, None, _values(None))


@router.post("/initiatives/{initiative_id}/dialogues")
def create(ctx: Ctx, initiative_id: PathId, form: Annotated[DialogueForm, Form()]) -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            dialogue = create_dialogue(
                ctx.db,
                user,
                initiative_id,
                form.settings(),
                seed_statements=form.seeds.splitlines(),
            )
    except TracktwoError as exc:
        initiative = get_initiative(ctx.db, user, initiative_id)
        return _form_page(ctx, initiative, None, form.values(), exc.message, exc.status_code)
    return ctx.redirect(
        f"/dialogues/{dialogue.id}",
        done="The dialogue was created as a draft. Open it when you are ready.",
    )


@router.get("/dialogues/{dialogue_id}")
def dashboard(ctx: Ctx, dialogue_id: PathId) -> Response:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id)
    role = role_in(ctx.db, user, dialogue.initiative_id)
    if role == Role.OBSERVER:
        return ctx.redirect(f"/dialogues/{dialogue_id}/results")
    base = ctx.platform.settings.base_url
    return ctx.render(
        "dialogues/dashboard.html",
        dialogue=dialogue,
        initiative=dialogue.initiative,
        links=[(link, f"{base}/j/{link.token}") for link in active_links(ctx.db, dialogue)],
        summary=dialogue_summary(ctx.db, dialogue),
    )


@router.get("/dialogues/{dialogue_id}/settings")
def settings_form(ctx: Ctx, dialogue_id: PathId) -> Response:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id, at_least=Role.FACILITATOR)
    return _form_page(ctx, dialogue.initiative, dialogue, _values(dialogue))


@router.post("/dialogues/{dialogue_id}/settings")
def save_settings(ctx: Ctx, dialogue_id: PathId, form: Annotated[DialogueForm, Form()]) -> Response:
    user = ctx.require_user()
    try:
        with ctx.attempt():
            dialogue = update_dialogue(ctx.db, user, dialogue_id, form.settings())
            if form.seeds.strip():
                add_seed_statements(
                    ctx.db,
                    user,
                    dialogue_id,
                    form.seeds.splitlines(),
                    language=dialogue.initiative.languages[0],
                )
    except TracktwoError as exc:
        dialogue = dialogue_for(ctx.db, user, dialogue_id, at_least=Role.FACILITATOR)
        return _form_page(
            ctx, dialogue.initiative, dialogue, form.values(), exc.message, exc.status_code
        )
    return ctx.redirect(f"/dialogues/{dialogue_id}", done="The settings were saved.")


@router.post("/dialogues/{dialogue_id}/state")
def change_state(ctx: Ctx, dialogue_id: PathId, state: Annotated[str, Form()] = "") -> Response:
    user = ctx.require_user()
    dialogue = set_dialogue_state(ctx.db, user, dialogue_id, state)
    return ctx.redirect(
        f"/dialogues/{dialogue_id}", done=f"The dialogue is now {dialogue.state.value}."
    )


@router.post("/dialogues/{dialogue_id}/links/{link_id}/regenerate")
def new_link(ctx: Ctx, dialogue_id: PathId, link_id: PathId) -> Response:
    user = ctx.require_user()
    regenerate_link(ctx.db, user, dialogue_id, link_id)
    return ctx.redirect(
        f"/dialogues/{dialogue_id}", done="The old link no longer works; share the new one."
    )


@router.get("/dialogues/{dialogue_id}/moderation")
def moderation(
    ctx: Ctx,
    dialogue_id: PathId,
    state: str = "pending",
    side: str = "",
    q: str = "",
    page: int = 1,
) -> Response:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id, at_least=Role.FACILITATOR)
    queue = moderation_queue(ctx.db, user, dialogue_id, state=state, side=side, query=q, page=page)
    return ctx.render(
        "dialogues/moderation.html",
        dialogue=dialogue,
        queue=queue,
        state=state,
        side=side,
        q=q,
        reasons=REJECTION_REASONS,
        error=None,
    )


@router.post("/dialogues/{dialogue_id}/moderation")
def moderate_statements(
    ctx: Ctx,
    dialogue_id: PathId,
    statement_id: Annotated[list[IdField], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    other_reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    user = ctx.require_user()
    count = moderate(
        ctx.db,
        user,
        dialogue_id,
        statement_id,
        decision,
        reason=other_reason.strip() or reason,
        analysis_delay=ctx.platform.settings.analysis_delay_seconds,
    )
    target = (
        back
        if back.startswith(f"/dialogues/{dialogue_id}/moderation")
        else (f"/dialogues/{dialogue_id}/moderation")
    )
    verb = "accepted" if decision == "accept" else "rejected"
    return ctx.redirect(target, done=f"{count} statement{'s' if count != 1 else ''} {verb}.")


@router.get("/dialogues/{dialogue_id}/translations")
def translations(ctx: Ctx, dialogue_id: PathId, language: str = "") -> Response:
    user = ctx.require_user()
    dialogue = dialogue_for(ctx.db, user, dialogue_id, at_least=Role.FACILITATOR)
    languages = dialogue.initiative.languages
    language = (
        language
        if language in languages
        else (languages[1] if len(languages) > 1 else languages[0])
    )
    missing = {code: len(translation_queue(ctx.db, user, dialogue_id, code)) for code in languages}
    return ctx.render(
        "dialogues/translations.html",
        dialogue=dialogue,
        language=language,
        statements=translation_queue(ctx.db, user, dialogue_id, language),
        missing=missing,
    )


@router.post("/dialogues/{dialogue_id}/translations")
def save_translations(
    ctx: Ctx,
    dialogue_id: PathId,
    language: Annotated[str, Form()] = "",
    statement_id: Annotated[list[IdField], Form()] = [],  # noqa: B006
    text: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    user = ctx.require_user()
    if len(statement_id) != len(text):
        raise InvalidInput("The form was incomplete; reload the page and try again.")
    saved = 0
    for sid, translated in zip(statement_id, text, strict=True):
        if translated.strip():
            set_translation(ctx.db, user, dialogue_id, sid, language, translated)
            saved += 1
    return ctx.redirect(
        f"/dialogues/{dialogue_id}/translations?language={language}",
        done=f"{saved} translation{'s' if saved != 1 else ''} saved.",
    )


@router.get("/dialogues/{dialogue_id}/export.zip")
def export(ctx: Ctx, dialogue_id: PathId) -> Response:
    user = ctx.require_user()
    data = export_polis_zip(ctx.db, user, dialogue_id)
    return attachment(data, "application/zip", f"tracktwo-dialogue-{dialogue_id}-polis.zip")


@router.get("/initiatives/{initiative_id}/dialogues/import")
def import_form(ctx: Ctx, initiative_id: PathId) -> Response:
    user = ctx.require_user()
    initiative = get_initiative(ctx.db, user, initiative_id)
    return ctx.render(
        "dialogues/import.html",
        initiative=initiative,
        error=None,
        limits=POLIS_UPLOAD.describe(),
    )


@router.post("/initiatives/{initiative_id}/dialogues/import")
async def import_export(request: Request, ctx: Ctx, initiative_id: PathId) -> Response:
    """Import a Polis export .zip. The permission is checked before the body is read; the
    body is then streamed to disk within :data:`POLIS_UPLOAD` (tracktwo.web.uploads)."""
    user = ctx.require_user()

    def refused(exc: TracktwoError) -> Response:
        initiative = get_initiative(ctx.db, user, initiative_id)
        return ctx.render(
            "dialogues/import.html",
            status_code=exc.status_code,
            initiative=initiative,
            error=exc.message,
            limits=POLIS_UPLOAD.describe(),
        )

    await run_in_threadpool(check_polis_import, ctx.db, user, initiative_id)
    try:
        received = await receive_page_upload(
            request, POLIS_UPLOAD, file_field="archive", known_fields={"topic"}
        )
    except TracktwoError as exc:
        return await run_in_threadpool(refused, exc)

    def work() -> Response:
        with received:
            try:
                if received.file is None or received.size == 0:
                    raise InvalidInput("Choose the .zip file of a Polis export folder to upload.")
                dialogue_id = import_polis_zip(
                    ctx.platform.database,
                    user,
                    initiative_id,
                    received.file,
                    topic=received.fields.get("topic", ""),
                )
            except TracktwoError as exc:
                return refused(exc)
        return ctx.redirect(
            f"/dialogues/{dialogue_id}",
            done="The conversation was imported; the analysis is running.",
        )

    return await run_in_threadpool(work)


import_export.streams_its_body = True  # type: ignore[attr-defined]
