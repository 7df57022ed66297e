"""Translations of the interface, read from the .po catalogues in ``tracktwo/locale``.

Catalogues are read with Babel straight from the .po files at start-up, so there is no
compile step and no binary file in the repository. Statement texts are not translated here:
facilitators enter those translations (see the dialogues).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

__all__ = [
    "COMMON_LANGUAGES",
    "N_",
    "available_languages",
    "direction",
    "language_name",
    "translator",
]

LOCALE_DIR = Path(__file__).parents[1] / "common" / "locale"
DEFAULT_LANGUAGE = "en"
# Offered first in forms: the languages of the conflicts tracktwo is most used in.
COMMON_LANGUAGES = ["en", "ar", "he", "el", "tr", "ru", "uk", "fr", "es"]


def N_(message: str) -> str:
    """Mark a message defined in code for extraction (``pybabel extract -k N_``) without
    translating it here: it is translated where it is shown, in the reader's language."""
    return message


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "tracktwo.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in catalogue
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def available_languages() -> list[str]:
    """Languages with an interface catalogue (English is built in)."""
    found = (
        sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) if LOCALE_DIR.exists() else []
    )
    return [DEFAULT_LANGUAGE, *[code for code in found if code != DEFAULT_LANGUAGE]]


def translator(language: str) -> Callable[..., str]:
    """``_("Agree")`` in the given language; ``{name}`` placeholders filled from keywords."""
    catalogue = _catalogue(language.split("_")[0]) if language != DEFAULT_LANGUAGE else {}

    def gettext(message: str, **values: object) -> str:
        text = catalogue.get(message, message)
        return text.format(**values) if values else text

    return gettext


@cache
def direction(language: str) -> str:
    """'rtl' for right-to-left scripts (Arabic, Hebrew, ...), else 'ltr'."""
    try:
        return str(Locale.parse(language).text_direction)
    except (UnknownLocaleError, ValueError):
        return "ltr"


@cache
def language_name(language: str) -> str:
    """The language's own name for itself (العربية, עברית, Ελληνικά ...)."""
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return language
    name = locale.get_display_name(locale) or language
    return name[:1].upper() + name[1:]
