"""The JSON API, version 1, mounted at /api/v1 with its OpenAPI document at /api/v1/openapi.json.

It authenticates with bearer tokens only (never cookies), which is why it needs no CSRF
token. The interactive documentation pages are off: they would load third-party scripts.
"""

from __future__ import annotations

from fastapi import FastAPI

from tracktwo import __version__
from tracktwo.parts import all_parts
from tracktwo.store.platform import Platform
from tracktwo.web.errors import install_error_handlers

__all__ = ["create_api"]

DESCRIPTION = """\
The tracktwo JSON API. Facilitators authenticate with an API token
(`Authorization: Bearer tt_...`), created on the account page or with
`tracktwo token create EMAIL`. Errors are JSON objects with one `detail` sentence.
"""


def create_api(platform: Platform) -> FastAPI:
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
