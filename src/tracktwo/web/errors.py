"""Turning every failure into a short message: pages get an error page, the API gets JSON.

No response ever carries a traceback. Bad input is a 4xx with one sentence; a bug is a 500
that says so and is logged on the server.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from tracktwo.kernel.errors import TracktwoError
from tracktwo.kernel.i18n import available_languages, direction, translator
from tracktwo.web.context import LANGUAGE_COOKIE, LoginRequired
from tracktwo.web.security import csrf_token, read_cookie
from tracktwo.web.templating import environment

__all__ = ["install_error_handlers", "validation_message"]

log = logging.getLogger("tracktwo.web")

_STATUS_MESSAGES = {
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
}


def validation_message(errors: list[Any]) -> str:
    """One sentence from the first of pydantic's validation errors."""
    if not errors:
        return "The request is not valid."
    first = errors[0]
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or "request"
    kind = first.get("type", "")
    if kind == "missing":
        return f"The field '{field}' is missing."
    if kind in ("json_invalid", "model_attributes_type", "dict_type") and field == "request":
        return "The request body must be a JSON object."
    message = str(first.get("msg", "is not valid")).rstrip(".")
    return f"The field '{field}' is not valid: {message[:1].lower() + message[1:]}."


def _page(request: Request, status: int, message: str) -> HTMLResponse:
    # Participants' pages set tt_lang, so their errors come in their language where the
    # catalogue has the sentence; staff pages are in English.
    language = read_cookie(request, LANGUAGE_COOKIE) or "en"
    if language not in available_languages():
        language = "en"
    gettext = translator(language)
    html = environment.get_template("error.html").render(
        request=request,
        user=None,
        csrf_token=csrf_token(request) if hasattr(request.state, "csrf_token") else "",
        language=language,
        dir=direction(language),
        _=gettext,
        flash=None,
        status=status,
        message=gettext(message),
    )
    return HTMLResponse(html, status_code=status)


def _allowed_methods(request: Request) -> str:
    """Every method some route accepts at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    pending = list(request.app.routes)
    while pending:
        route = pending.pop()
        if hasattr(route, "original_router"):  # FastAPI includes routers lazily
            pending.extend(route.original_router.routes)
            continue
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI, *, json: bool) -> None:
    def answer(request: Request, status: int, message: str) -> Response:
        if json:
            return JSONResponse({"detail": message}, status_code=status)
        return _page(request, status, message)

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TracktwoError)
        return answer(request, exc.status_code, exc.message)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return answer(request, 422 if json else 400, validation_message(list(exc.errors())))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.status_code not in (404, 405)
            else _STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
        )
        response = answer(request, exc.status_code, detail)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["allow"] = _allowed_methods(request)
        return response

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    async def on_too_deep(request: Request, exc: Exception) -> Response:
        # A JSON body nested a hundred thousand levels deep: bad input, not our bug.
        return answer(request, 400, "The request is nested too deeply to be read.")

    async def on_bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return answer(
            request,
            500,
            "Something went wrong on our side; it has been logged. Please try again.",
        )

    app.add_exception_handler(TracktwoError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(RecursionError, on_too_deep)
    app.add_exception_handler(Exception, on_bug)
