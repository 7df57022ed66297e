"""The one join flow's pages, and what every part's participant pages share.

Made for cheap phones on slow connections: small pages, plain forms that work without
JavaScript, the participant's own language and writing direction. Participants have no
account: a secret in a cookie (one per initiative) and a private resume link identify them.

``/j/{token}`` joins whatever the link leads to, for every part. ``/wj/`` and ``/s/`` are the
same page under the addresses workshop and survey links were handed out with before the
parts shared one flow; ``/wr/`` is the workshops' old resume address.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import Response

from tracktwo.common.participation.actions import (
    LINK_GONE,
    UNDECLARED,
    JoinTarget,
    join,
    joinable,
    last_place,
    link_for_token,
    membership_of,
    participant_for_secret,
)
from tracktwo.common.participation.models import JoinLink, Participant
from tracktwo.kernel.errors import InvalidInput, NotFound, PermissionDenied, TracktwoError
from tracktwo.kernel.i18n import translator
from tracktwo.web.context import LANGUAGE_COOKIE, PageContext, page_context
from tracktwo.web.pages import page_router

__all__ = [
    "COOKIE_DAYS",
    "cookie_name",
    "device_secret",
    "participant_on_device",
    "remember_language",
    "render_for",
    "router",
]

router = page_router()
Ctx = Annotated[PageContext, page_context]
COOKIE_DAYS = 365


def cookie_name(initiative_id: int) -> str:
    return f"tt_p{initiative_id}"


def device_secret(ctx: PageContext, initiative_id: int) -> str | None:
    """The participant secret this browser holds for the initiative, if any."""
    return ctx.cookie(cookie_name(initiative_id))


def participant_on_device(ctx: PageContext, initiative_id: int) -> Participant | None:
    """The participant this browser is, in this initiative (from its cookie)."""
    return participant_for_secret(ctx.db, device_secret(ctx, initiative_id))


def _remember(ctx: PageContext, response: Response, initiative_id: int, secret: str) -> None:
    ctx.set_cookie(response, cookie_name(initiative_id), secret, max_age=COOKIE_DAYS * 86400)


def remember_language(ctx: PageContext, response: Response, language: str) -> None:
    ctx.set_cookie(response, LANGUAGE_COOKIE, language, max_age=COOKIE_DAYS * 86400)


def render_for(
    ctx: PageContext, template: str, person: Participant, status_code: int = 200, **values: object
) -> Response:
    """A participant's page, in their language, with ``participant`` available to it."""
    return ctx.render(
        template, status_code=status_code, language=person.language, participant=person, **values
    )


def _require_consent(consent: str, language: str) -> None:
    """Every join form asks the person to confirm they read how their answers are used."""
    if consent != "yes":
        gettext = translator(language or "en")
        raise InvalidInput(gettext("Please confirm that you have read how your answers are used."))


def _target(ctx: PageContext, link: JoinLink) -> JoinTarget:
    found = joinable(link.part).target(
        ctx.db, link.target_id, min_cell=ctx.platform.settings.min_cell_size
    )
    if found is None:  # the thing was removed but its link not: as if the link were revoked
        raise NotFound(LINK_GONE)
    return found


def _join_page(
    ctx: PageContext,
    link: JoinLink,
    target: JoinTarget,
    *,
    language: str,
    participant: Participant | None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return ctx.render(
        "participate/join.html",
        status_code=status_code,
        language=language,
        link=link,
        target=target,
        # after a refused attempt the form is shown again, whatever the notice said
        notice=None if error else target.notice,
        initiative=target.initiative,
        participant=participant,
        join_url=ctx.request.url.path,
        error=error,
    )


@router.get("/j/{token}")
@router.get("/wj/{token}")
@router.get("/s/{token}")
def join_form(ctx: Ctx, token: str, lang: str = "") -> Response:
    link = link_for_token(ctx.db, token)
    target = _target(ctx, link)
    initiative = target.initiative
    participant = participant_on_device(ctx, initiative.id)
    if participant is not None and membership_of(ctx.db, participant, link.part, target.id):
        return ctx.redirect(joinable(link.part).place(target.id))
    language = (
        lang
        if lang in initiative.languages
        else (participant.language if participant else initiative.languages[0])
    )
    return _join_page(ctx, link, target, language=language, participant=participant)


@router.post("/j/{token}")
@router.post("/wj/{token}")
@router.post("/s/{token}")
def join_page(
    ctx: Ctx,
    token: str,
    language: Annotated[str, Form()] = "",
    side: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
) -> Response:
    link = link_for_token(ctx.db, token)
    target = _target(ctx, link)
    initiative = target.initiative
    part = joinable(link.part)
    try:
        with ctx.attempt():
            _require_consent(consent, language)
            joined = join(
                ctx.db,
                token,
                secret=device_secret(ctx, initiative.id),
                side=side or UNDECLARED,
                language=language or None,
            )
    except TracktwoError as exc:
        chosen = language if language in initiative.languages else initiative.languages[0]
        return _join_page(
            ctx,
            link,
            target,
            language=chosen,
            participant=None,
            error=exc.message,
            status_code=exc.status_code,
        )
    participant = joined.participant
    response: Response
    if joined.new_secret is None:  # a known participant goes straight on
        response = ctx.redirect(part.place(target.id))
    else:  # a new one gets the cookie and, once, the private resume link
        response = ctx.render(
            "participate/welcome.html",
            language=participant.language,
            title=target.title,
            continue_url=part.place(target.id),
            resume_link=f"{ctx.platform.settings.base_url}{part.resume_path}{joined.new_secret}",
        )
        _remember(ctx, response, participant.initiative_id, joined.new_secret)
    remember_language(ctx, response, participant.language)
    return response


def _resume(ctx: PageContext, secret: str, resume_path: str) -> Response:
    """A private resume link: this device becomes the participant's again, and goes to the
    page they were last on (preferring the parts that hand out this kind of resume link)."""
    from tracktwo.parts import registered_parts

    parts = [
        part.name
        for part in registered_parts()
        if part.participation is not None and joinable(part.name).resume_path == resume_path
    ]
    participant = participant_for_secret(ctx.db, secret)
    if participant is None:
        raise PermissionDenied(joinable(parts[0]).resume_refusal)
    target = last_place(ctx.db, participant, prefer=parts)
    response = ctx.redirect(target or "/")
    _remember(ctx, response, participant.initiative_id, secret)
    return response


@router.get("/r/{secret}")
def resume(ctx: Ctx, secret: str) -> Response:
    """The private resume link of a dialogue or survey participant."""
    return _resume(ctx, secret, "/r/")


@router.get("/wr/{secret}")
def resume_workshop(ctx: Ctx, secret: str) -> Response:
    """The private resume link of a workshop participant."""
    return _resume(ctx, secret, "/wr/")
