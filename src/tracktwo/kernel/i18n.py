"""Translations of the interface: one message catalogue per part, merged when they are read.

The core (``tracktwo/common/locale``) and every part (``tracktwo/parts/<part>/locale``) keep
their own catalogue, ``<lang>/LC_MESSAGES/tracktwo.po``, made and updated with Babel's own
tools (``make messages``; docs/architecture.md says how to add and translate a message).
Parts built side by side therefore never edit the same catalogue.

The platform says which folders to read (:func:`use_catalogues`, called with the folders of
the registered parts when a :class:`~tracktwo.store.platform.Platform` is made). Each ``.po``
is compiled in memory with Babel's compiler when a language is first asked for, so there is no
compiled file to forget; plural forms come from each catalogue's ``Plural-Forms`` header.

Messages defined in code are marked with :func:`N_` (extracted, not translated where they are
defined) and translated where they are shown. Statement texts are not translated here:
facilitators enter those translations (see the dialogues).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from babel.support import Translations

__all__ = [
    "COMMON_LANGUAGES",
    "DOMAIN",
    "N_",
    "Translate",
    "available_languages",
    "catalogue_folders",
    "direction",
    "language_name",
    "plural",
    "translator",
    "use_catalogues",
]

DOMAIN = "tracktwo"  # every catalogue's file name: <folder>/<lang>/LC_MESSAGES/tracktwo.po
DEFAULT_LANGUAGE = "en"
# Offered first in forms: the languages of the conflicts tracktwo is most used in.
COMMON_LANGUAGES = ["en", "ar", "he", "el", "tr", "ru", "uk", "fr", "es"]

_folders: tuple[Path, ...] = ()


def N_(message: str) -> str:
    """Mark a message defined in code for extraction (``pybabel extract`` knows ``N_``)
    without translating it here: it is translated where it is shown, in the reader's language."""
    return message


def use_catalogues(folders: Iterable[Path | str]) -> None:
    """Read translations from these ``locale`` folders (the core's and each part's)."""
    global _folders
    chosen = tuple(Path(folder) for folder in folders)
    if chosen != _folders:
        _folders = chosen
        _translations.cache_clear()


def catalogue_folders() -> tuple[Path, ...]:
    return _folders


def _compiled(path: Path, language: str) -> Translations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language, domain=DOMAIN)
    binary = io.BytesIO()
    write_mo(binary, catalogue, use_fuzzy=False)  # what `pybabel compile` writes
    binary.seek(0)
    return Translations(binary, domain=DOMAIN)


@cache
def _translations(language: str) -> Translations | None:
    merged: Translations | None = None
    for folder in _folders:
        path = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            continue
        found = _compiled(path, language)
        if merged is None:
            merged = found
        else:
            merged.merge(found)
    return merged


def available_languages() -> list[str]:
    """Languages with an interface catalogue in any folder (English is built in)."""
    found = {
        entry.name
        for folder in _folders
        if folder.is_dir()
        for entry in folder.iterdir()
        if (entry / "LC_MESSAGES" / f"{DOMAIN}.po").exists()
    }
    return [DEFAULT_LANGUAGE, *sorted(found - {DEFAULT_LANGUAGE})]


class Translate(Protocol):
    """``_("Agree")``; ``{name}`` placeholders are filled from keywords."""

    def __call__(self, message: str, **values: object) -> str: ...


def translator(language: str) -> Translate:
    """``_("Agree")`` in the given language; ``{name}`` placeholders filled from keywords."""
    translations = _translations(language.split("_")[0]) if language != DEFAULT_LANGUAGE else None

    def gettext(message: str, **values: object) -> str:
        text = translations.gettext(message) if translations is not None else message
        return text.format(**values) if values else text

    return gettext


def plural(language: str) -> Callable[..., str]:
    """``ngettext("{n} vote", "{n} votes", n)`` in the given language, with its plural forms;
    ``n`` and any keywords fill the placeholders."""
    translations = _translations(language.split("_")[0]) if language != DEFAULT_LANGUAGE else None

    def ngettext(singular: str, plural_: str, n: int, **values: object) -> str:
        if translations is not None:
            text = translations.ngettext(singular, plural_, n)
        else:
            text = singular if n == 1 else plural_
        return text.format(n=n, **values)

    return ngettext


@cache
def direction(language: str) -> str:
    """'rtl' for right-to-left scripts (Arabic, Hebrew, ...), else 'ltr'."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(language).text_direction)
    except (UnknownLocaleError, ValueError):
        return "ltr"


@cache
def language_name(language: str) -> str:
    """The language's own name for itself (العربية, עברית, Ελληνικά ...)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return language
    name = locale.get_display_name(locale) or language
    return name[:1].upper() + name[1:]
