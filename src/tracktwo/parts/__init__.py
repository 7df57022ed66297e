"""The parts of tracktwo: one folder per Track Two process, each declared by one manifest.

A part (``dialogues``, ``workshops``, ``surveys`` ...) is a folder ``tracktwo/parts/<name>/``
holding its pure engine, models, migrations, actions, pages, API, templates, static files,
brief section, demo data, jobs, command group and message catalogue. Its ``part.py`` declares
all of that in one :class:`Part`; :data:`PARTS` below is the one list the platform reads.
Adding a part is one folder and one line in :data:`PARTS` (docs/architecture.md walks through
an example).

Everything here is import-light on purpose: a manifest names its routers, models and jobs as
``"module:attribute"`` strings relative to the part's package, resolved only when the web
app, the worker or the CLI needs them. ``tracktwo --help`` therefore never imports FastAPI,
SQLAlchemy, numpy or pandas.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from tracktwo.kernel.manifest import Part, Rule

__all__ = [
    "CORE",
    "PARTS",
    "all_parts",
    "job_handlers",
    "load_models",
    "locale_folders",
    "migration_locations",
    "part_named",
    "registered_parts",
    "template_folders",
]

#: The one list of parts, in the order their panels, brief sections and commands appear.
PARTS: tuple[str, ...] = (
    "dialogues",
    "workshops",
    "surveys",
)


#: What every part builds on: accounts, initiatives and sides, participation, the brief.
#: Declared like a part so that the web app, the catalogues and the contract battery treat
#: it the same way; it is not in :data:`PARTS` because it cannot be left out.
CORE = Part(
    name="core",
    title="tracktwo",
    package="tracktwo.common",
    pages=(
        "accounts.auth_pages:router",
        "accounts.pages:router",
        "initiatives.pages:router",
        "participation.pages:router",
        "brief.pages:router",
    ),
    api=("initiatives.api:router",),
    models=("accounts.models", "initiatives.models", "participation.models"),
    dashboard="brief.pages:brief_panel",
    permissions={
        "GET /": Rule.PUBLIC,
        "GET /login": Rule.PUBLIC,
        "POST /login": Rule.PUBLIC,
        "POST /logout": Rule.PUBLIC,
        "GET /sign-in/{token}": Rule.LINK,
        "POST /sign-in/{token}": Rule.LINK,
        "GET /invitations/{token}": Rule.LINK,
        "POST /invitations/{token}": Rule.LINK,
        "GET /account": Rule.SIGNED_IN,
        "POST /account/tokens": Rule.SIGNED_IN,
        "POST /account/tokens/{token_id}/revoke": Rule.SIGNED_IN,
        "POST /account/password": Rule.SIGNED_IN,
        "GET /initiatives": Rule.SIGNED_IN,
        "GET /initiatives/new": Rule.SIGNED_IN,
        "POST /initiatives": Rule.SIGNED_IN,
        "GET /initiatives/{initiative_id}": Rule.OBSERVER,
        "GET /initiatives/{initiative_id}/edit": Rule.OWNER,
        "POST /initiatives/{initiative_id}/edit": Rule.OWNER,
        "GET /initiatives/{initiative_id}/members": Rule.FACILITATOR,
        "POST /initiatives/{initiative_id}/members": Rule.OWNER,
        "POST /initiatives/{initiative_id}/members/{membership_id}/role": Rule.OWNER,
        "POST /initiatives/{initiative_id}/members/{membership_id}/remove": Rule.OWNER,
        "GET /j/{token}": Rule.LINK,
        "POST /j/{token}": Rule.LINK,
        "GET /wj/{token}": Rule.LINK,
        "POST /wj/{token}": Rule.LINK,
        "GET /s/{token}": Rule.LINK,
        "POST /s/{token}": Rule.LINK,
        "GET /r/{secret}": Rule.LINK,
        "GET /wr/{secret}": Rule.LINK,
        "GET /initiatives/{scope_id}/brief": Rule.OBSERVER,
        "GET /initiatives/{scope_id}/brief.{extension}": Rule.FACILITATOR,
        "GET /dialogues/{scope_id}/brief": Rule.OBSERVER,
        "GET /dialogues/{scope_id}/brief.{extension}": Rule.FACILITATOR,
        "GET /api/v1/me": Rule.SIGNED_IN,
        "GET /api/v1/initiatives": Rule.SIGNED_IN,
        "POST /api/v1/initiatives": Rule.SIGNED_IN,
        "GET /api/v1/initiatives/{initiative_id}": Rule.OBSERVER,
        "PUT /api/v1/initiatives/{initiative_id}": Rule.OWNER,
        "GET /api/v1/initiatives/{initiative_id}/members": Rule.FACILITATOR,
        "POST /api/v1/initiatives/{initiative_id}/members": Rule.OWNER,
        "PATCH /api/v1/initiatives/{initiative_id}/members/{membership_id}": Rule.OWNER,
        "DELETE /api/v1/initiatives/{initiative_id}/members/{membership_id}": Rule.OWNER,
    },
)


@cache
def registered_parts() -> tuple[Part, ...]:
    """The manifests of :data:`PARTS`, in order (each part's ``part.py``, ``PART``)."""
    found = []
    for name in PARTS:
        manifest = importlib.import_module(f"tracktwo.parts.{name}.part").PART
        if not isinstance(manifest, Part) or manifest.name != name:
            raise TypeError(f"tracktwo/parts/{name}/part.py must define PART = Part({name!r}, ...)")
        found.append(manifest)
    return tuple(found)


def all_parts() -> tuple[Part, ...]:
    """The core (accounts, initiatives, participation, brief) and then every part."""
    return (CORE, *registered_parts())


def part_named(name: str) -> Part:
    for part in all_parts():
        if part.name == name:
            return part
    raise LookupError(f"there is no part named {name!r}")


def load_models() -> None:
    """Import every model of the core and the parts, so ``Base.metadata`` knows every table
    and every relationship can be resolved (the migrations and the app call this)."""
    importlib.import_module("tracktwo.store.jobs")
    for part in all_parts():
        for module in part.models:
            part.load(module)


def job_handlers() -> dict[str, Any]:
    """Background-job kind -> handler, from every part's ``jobs`` (for the worker)."""
    handlers: dict[str, Any] = {}
    for part in all_parts():
        if part.jobs is not None:
            handlers.update(part.load(part.jobs))
    return handlers


def template_folders() -> list[str]:
    """Every ``templates/`` folder of the core and the parts (names start ``<part>/``)."""
    return [str(part.templates) for part in all_parts() if part.templates is not None]


def locale_folders() -> list[str]:
    """Every message catalogue folder: the core's, then each part's (merged when read)."""
    return [str(part.locale) for part in all_parts() if part.locale is not None]


def migration_locations() -> list[str]:
    """Alembic's ``version_locations``: the core's folder, then each part's."""
    return [str(part.migrations) for part in all_parts() if part.migrations is not None]
