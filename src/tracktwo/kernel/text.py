"""The one policy for text that people type into tracktwo, whatever the field.

Every name, topic, question, answer, statement, clarification and label passes through
:func:`clean_text` before it is stored, so the rules below hold everywhere:

- **Unicode NFC.** The same word typed on two keyboards (a precomposed "é" or "e" plus a
  combining accent) is stored, compared and searched as the same text.
- **Control characters are refused** with one sentence naming the character. NUL and the other
  C0/C1 controls have no meaning in text, PostgreSQL cannot store NUL at all, and invisible
  characters can hide words from a moderator. Lone surrogates (which a JSON body can carry as
  ``"\\ud800"``) are refused too: they cannot be written as UTF-8. Tabs and line ends are white
  space, not errors: folded to one space in one-line fields, kept in multi-line ones.
- **Bidirectional overrides become isolates.** U+202A-U+202E force the direction of what
  follows, so "reject" can display as "tcejer" and a name can seem to be part of the
  surrounding sentence. Each is replaced by the matching isolate (U+2066-U+2069), which still
  lets a Hebrew name sit inside English text but cannot reorder anything around it; every
  isolate is closed by the end of its line, and a stray closing mark is dropped. Marks
  (U+200E, U+200F, U+061C) and joiners are kept: right-to-left writers need them.
- **White space** is stripped at both ends; a text that is only white space or invisible
  marks counts as empty.
- **Length** is counted in characters after cleaning; an absurdly long input is refused before
  any work is done on it.

Text that comes from someone else's files (a Polis export, a news corpus) is not typed by the
person importing it, who cannot fix one odd character in 40,000 comments: importers pass it
through :func:`drop_controls` first, then through the same policy.

Passwords are not text in this sense (normalising one would change what was hashed), but
they may not carry controls either: :func:`refuse_controls` checks without changing anything.
"""

from __future__ import annotations

import re
import unicodedata

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.i18n import N_

__all__ = [
    "ISOLATES",
    "OVERRIDE_TO_ISOLATE",
    "clean_statement_text",
    "clean_text",
    "drop_controls",
    "excerpt",
    "is_plain_token",
    "refuse_controls",
]

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
ISOLATES = frozenset((LRI, RLI, FSI, PDI))
# LRE and LRO open left-to-right, RLE and RLO right-to-left, PDF closes either.
OVERRIDE_TO_ISOLATE = {
    "\u202a": LRI,
    "\u202d": LRI,
    "\u202b": RLI,
    "\u202e": RLI,
    "\u202c": PDI,
}
_OVERRIDES = str.maketrans(OVERRIDE_TO_ISOLATE)
_OPENERS = frozenset((LRI, RLI, FSI))
_LINE_ENDS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
_SPACES = re.compile(r"\s+")
# NUL, the other C0 controls except tab and line ends, DEL, the C1 controls; surrogates.
_REFUSED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
# NFC can grow a text and white space is folded afterwards, so the first check only stops
# inputs no honest form sends.
_SLACK = 4
_SLACK_CHARACTERS = 10_000


def _describe(character: str) -> str:
    if character == "\x00":
        return "a NUL character (U+0000)"
    if "\ud800" <= character <= "\udfff":
        return f"half of a character pair (U+{ord(character):04X}) with no other half"
    return f"an invisible control character (U+{ord(character):04X})"


def refuse_controls(value: str, what: str) -> None:
    """Raise :class:`InvalidInput` if ``value`` holds a character no text may carry."""
    found = _REFUSED.search(value)
    if found is not None:
        raise InvalidInput(
            f"The {what} contains {_describe(found.group())}; remove it and try again."
        )


def drop_controls(value: str) -> str:
    """``value`` without the characters :func:`refuse_controls` refuses (for imported data)."""
    return _REFUSED.sub("", value)


def _balanced(line: str) -> str:
    """Close every isolate before the end of the line; drop closers with nothing to close."""
    if not any(ch in ISOLATES for ch in line):
        return line
    kept: list[str] = []
    depth = 0
    for ch in line:
        if ch in _OPENERS:
            depth += 1
        elif ch == PDI:
            if depth == 0:
                continue
            depth -= 1
        kept.append(ch)
    return "".join(kept) + PDI * depth


def _visible(value: str) -> bool:
    # Categories Z (separators) and C (controls, format marks) draw nothing by themselves.
    return any(unicodedata.category(ch)[0] not in "ZC" for ch in value)


def clean_text(
    value: str,
    what: str,
    limit: int,
    *,
    required: bool = True,
    multiline: bool = False,
    empty_message: str | None = None,
    too_long_hint: str = "",
) -> str:
    """``value`` as tracktwo stores it, or :class:`InvalidInput` with one sentence.

    Parameters
    ----------
    value
        The text as typed (from a form, the API or a file).
    what
        The field's name in the messages, e.g. ``"initiative name"``.
    limit
        The most characters the cleaned text may have.
    required
        Whether an empty text is refused (else it is returned as ``""``).
    multiline
        Keep line breaks (normalised to ``\\n``) and tabs; otherwise every run of white space,
        line breaks included, becomes one space.
    empty_message, too_long_hint
        A field's own sentence for an empty text, and a hint added after the too-long one.
    """
    hint = f" {too_long_hint}" if too_long_hint else ""
    if len(value) > limit * _SLACK + _SLACK_CHARACTERS:
        raise InvalidInput(f"The {what} is far too long (at most {limit} characters).{hint}")
    refuse_controls(value, what)
    text = unicodedata.normalize("NFC", value).translate(_OVERRIDES)
    if multiline:
        lines = _LINE_ENDS.sub("\n", text).split("\n")
        text = "\n".join(_balanced(line.rstrip()) for line in lines).strip()
    else:
        text = _balanced(_SPACES.sub(" ", text).strip())
    if not _visible(text):
        if required:
            raise InvalidInput(empty_message or f"The {what} must not be empty.")
        return ""
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} is too long ({len(text)} characters; at most {limit}).{hint}"
        )
    return text


def excerpt(value: object, limit: int = 40) -> str:
    """A short, printable quotation of what someone sent, for a message about it.

    Messages quote the input so people see what was wrong, but never all of a 100,000
    character value, and never its control characters or overrides.
    """
    text = drop_controls(str(value)).translate(_OVERRIDES)
    text = "".join(ch for ch in text if ch not in ISOLATES)
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_statement_text(value: str, limit: int) -> str:
    """A statement or idea: one line, with the sentences participants see when it is refused."""
    return clean_text(
        value,
        "statement",
        limit,
        empty_message=N_("The statement is empty; write one short sentence."),
        too_long_hint="Shorten it to one clear point.",
    )


def is_plain_token(value: str, *, max_length: int = 200) -> bool:
    """Whether ``value`` could be a secret or link token we issued (URL-safe base64 only).

    Lookups by token check this first: anything else cannot match, and keeping NUL and
    other odd characters away from the database keeps every driver out of trouble.
    """
    return 0 < len(value) <= max_length and _TOKEN.fullmatch(value) is not None
