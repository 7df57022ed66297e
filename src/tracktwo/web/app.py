"""The application factory: one FastAPI app serving pages, static files and the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from tracktwo import __version__
from tracktwo.kernel.config import Settings
from tracktwo.parts import all_parts
from tracktwo.store.db import DatabaseUnavailable
from tracktwo.store.platform import Platform
from tracktwo.web.errors import install_error_handlers
from tracktwo.web.security import SecurityMiddleware

__all__ = ["create_api", "create_app"]

STATIC = Path(__file__).with_name("static")

DESCRIPTION = """\
The tracktwo JSON API. Facilitators authenticate with an API token
(`Authorization: Bearer tt_...`), created on the account page or with
`tracktwo token create EMAIL`. Errors are JSON objects with one `detail` sentence.
"""


def create_api(platform: Platform) -> FastAPI:
    """The JSON API, version 1, mounted at /api/v1 with its OpenAPI document at
    /api/v1/openapi.json. It authenticates with bearer tokens only (never cookies), which is
    why it needs no CSRF token. The interactive documentation pages are off: they would load
    third-party scripts."""
    api = FastAPI(
        title="tracktwo API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.platform = platform
    install_error_handlers(api, json=True)
    for part in all_parts():
        for router in part.load_all(part.api):
            api.include_router(router)
    return api


def create_app(platform: Platform | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the web app around a platform (or one made from ``settings``/the environment)."""
    platform = platform or Platform(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if platform.settings.run_worker_in_process:
            from tracktwo.parts import job_handlers
            from tracktwo.store.worker import Worker

            worker = Worker(platform, job_handlers())
            worker.start_in_thread()
        yield
        if worker is not None:
            worker.stop()
        platform.close()

    app = FastAPI(
        title="tracktwo",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # the API documents itself at /api/v1/openapi.json
        lifespan=lifespan,
    )
    app.state.platform = platform
    install_error_handlers(app, json=False)
    app.add_middleware(
        SecurityMiddleware,
        secure_cookies=platform.settings.secure_cookies,
        secret_key=platform.settings.resolved_secret_key,
    )
    for part in all_parts():  # before /static, which would otherwise take their paths
        if part.static is not None:
            app.mount(f"/static/{part.name}", StaticFiles(directory=part.static), part.name)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/api/v1", create_api(platform))

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        """For load balancers and monitoring: 200 when the database answers, else 503."""
        try:
            platform.database.check_connection()
        except DatabaseUnavailable:
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable", "version": __version__},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    for part in all_parts():
        for router in part.load_all(part.pages):
            app.include_router(router)
    return app
