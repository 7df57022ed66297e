"""The manifest type every part declares itself with (``PART = Part(...)`` in ``part.py``).

It lives in the kernel because it imports nothing: a manifest must be readable without
loading the web, the store or any engine. The one list of parts is :data:`tracktwo.parts.PARTS`.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Part", "Rule"]


class Rule(enum.StrEnum):
    """Who may call a route: the permission table every part declares for each of its routes.

    The rule says who gets past the door; the action behind the route then checks the
    object itself (this initiative's role, this dialogue's membership). The contract battery
    (tests/contract) calls every route as someone the rule excludes and expects a refusal.
    """

    PUBLIC = "public"  # anyone, signed in or not (the sign-in page, the health check)
    LINK = "link"  # anyone holding a secret in the URL: a join, resume or invitation link
    PARTICIPANT = "participant"  # a participant who joined (device cookie or tp_ token)
    SIGNED_IN = "signed-in"  # any facilitator account (their own account page)
    OBSERVER = "observer"  # at least observer in the initiative the object belongs to
    FACILITATOR = "facilitator"  # at least facilitator there
    OWNER = "owner"  # the initiative's owners


@dataclass(frozen=True)
class Part:
    """What a part brings to the platform. Every reference is ``"module:attribute"`` (or a
    module alone) relative to the part's package, and is imported only when used.

    Parameters
    ----------
    name
        The part's name: its folder, its URL and template namespace, its catalogue's domain.
    title
        What its users call it (marked with ``N_`` so that it is translated).
    package
        The dotted package, normally ``__name__`` of the part's ``__init__`` (the manifest
        passes ``__package__``).
    engine
        The sub-package that holds the part's pure engine (``"opinion"``), if it has one.
    pages, api
        The routers of its server-rendered pages and of its JSON API (mounted at /api/v1).
    models
        The modules defining its SQLAlchemy models (imported so that the metadata knows them).
    brief
        The module that registers its brief sections (``@brief_section``) when imported.
    dashboard
        The panel it adds to the initiative dashboard: a function
        ``(PageContext, Initiative, Role) -> Markup | None``.
    jobs
        A mapping of background-job kind to handler ``(Platform, key) -> object``.
    demo
        A function ``(DemoContext) -> None`` that adds the part's demo data.
    cli
        A ``click`` command or group, added to the ``tracktwo`` command.
    permissions
        A :class:`Rule` for every route of ``pages`` and ``api``, keyed ``"METHOD /path"``
        (API paths with their ``/api/v1`` prefix).
    participation
        The part's join adapter for the participation kernel (an object implementing
        :class:`tracktwo.common.participation.kernel.Joinable`), if participants join it.
    uses
        Other parts whose public actions this one calls (checked by the layer contracts).
    """

    name: str
    title: str
    package: str
    engine: str | None = None
    pages: tuple[str, ...] = ()
    api: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    brief: str | None = None
    dashboard: str | None = None
    jobs: str | None = None
    demo: str | None = None
    cli: str | None = None
    permissions: Mapping[str, Rule] = field(default_factory=dict)
    participation: str | None = None
    uses: tuple[str, ...] = ()

    # --- the folders every part may have (by convention, not declared) -------------------

    @property
    def directory(self) -> Path:
        module = importlib.import_module(self.package)
        return Path(str(module.__file__)).parent

    def _folder(self, name: str) -> Path | None:
        path = self.directory / name
        return path if path.is_dir() else None

    @property
    def templates(self) -> Path | None:
        """``templates/`` (its files live in ``templates/<name>/`` to keep names apart)."""
        return self._folder("templates")

    @property
    def static(self) -> Path | None:
        """``static/``, served at ``/static/<name>/``."""
        return self._folder("static")

    @property
    def migrations(self) -> Path | None:
        """``migrations/``: the part's own Alembic version location."""
        return self._folder("migrations")

    @property
    def locale(self) -> Path | None:
        """``locale/``: the part's message catalogue (``<lang>/LC_MESSAGES/tracktwo.po``)."""
        return self._folder("locale")

    # --- resolving references ------------------------------------------------------------

    def load(self, reference: str) -> Any:
        """Import ``"module:attribute"`` (or ``"module"``) relative to the part's package."""
        module_name, _, attribute = reference.partition(":")
        module = importlib.import_module(f"{self.package}.{module_name}")
        return getattr(module, attribute) if attribute else module

    def load_all(self, references: tuple[str, ...]) -> Iterator[Any]:
        return (self.load(reference) for reference in references)
