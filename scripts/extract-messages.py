#!/usr/bin/env python3
"""Collect the participant interface's messages and keep the translation catalogues in step.

How to add or update a translation
----------------------------------
1. After changing a participant-facing text (a ``_("...")`` in a participant template or in
   ``opinion/figures.py``, a ``gettext(...)`` in ``web/pages/participate.py``, or one of the
   error messages listed in ``FIXED_MESSAGES`` below), run::

       .venv/bin/python scripts/extract-messages.py update

   This rewrites ``src/tracktwo/locale/tracktwo.pot`` and adds the new English texts, with an
   empty translation, to every ``src/tracktwo/locale/<lang>/LC_MESSAGES/tracktwo.po``.
   Existing translations are kept; texts no longer used are kept at the end as ``#~``
   entries, which a translator may reuse or delete.
2. Open each ``tracktwo.po`` (any text editor, or Poedit) and fill every empty ``msgstr``.
   Keep every ``{placeholder}`` exactly as in the English text. Use plain, short, respectful
   words: participants are ordinary people, often reading on a phone. Never mark an entry
   ``fuzzy`` unless it should be ignored: fuzzy translations are not shown.
3. Run ``.venv/bin/python -m pytest tests/test_translations.py``: it names every missing
   translation and every placeholder that does not match.

To start a new language (an ISO 639-1 code such as ``fr``)::

    .venv/bin/python scripts/extract-messages.py add fr

``check`` (used by the tests) changes nothing; it exits with status 1 and names the texts
when the template is out of date with the sources.

There is no compile step: tracktwo reads the .po files with Babel when it starts.

Why our own extractor rather than ``pybabel extract``: the participant messages come from a
few chosen files (not the staff pages, which stay in English for now), one call form
(``translator(language)("...")``) is not a plain keyword call, and some messages are raised
as errors in the actions layer, where marking them with ``_()`` would mean importing the
interface into the core. Templates are read with Jinja2's own parser and Python files with
:mod:`ast`, so quoting, escapes and implicit string concatenation are handled exactly.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment
from jinja2.ext import extract_from_ast

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path("src/tracktwo")
LOCALE = PACKAGE / "locale"
TEMPLATE_NAME = "tracktwo.pot"
DOMAIN = "tracktwo"
LINE_WIDTH = 100

# Where the participant interface's marked messages are, relative to the repository root.
TEMPLATE_SOURCES = (
    "src/tracktwo/web/templates/base.html",  # the shell around every participant page
    "src/tracktwo/web/templates/participate/*.html",
)
PYTHON_SOURCES = (
    "src/tracktwo/opinion/figures.py",
    "src/tracktwo/web/pages/participate.py",
    "src/tracktwo/web/pages/survey_participate.py",
    "src/tracktwo/web/pages/workshop_participate.py",
    "src/tracktwo/actions/workshop_results.py",  # the influence tree's fixed words
)
# Names whose call marks a message: ``_("...")`` and ``gettext("...")``, plus the call form
# ``translator(language)("...")``.
GETTEXT_NAMES = frozenset({"_", "gettext"})
TRANSLATOR_NAME = "translator"

# Error messages a participant can see, raised in the actions layer (which does not import
# the interface) and translated where they are shown (``_(error)`` in join.html and
# write.html, ``_(closed_reason)`` in statement.html). Each is (source file, exact English
# text). The extractor checks that the text still occurs verbatim in that file, so a reworded
# message fails loudly instead of silently losing its translations.
#
# Left out on purpose:
# - messages built with values at run time, which cannot be looked up as they stand:
#   "This dialogue opens on <date>." (dialogues.is_accepting), "The statement is too long
#   (<n> characters; at most <limit>)..." (text.py), "You have added <n> statements..." and
#   "This dialogue has no statement <id> to vote on." (participation.py), "Choose one of the
#   languages of this dialogue: <list>." and "There is no dialogue with id <id>."
#   (participants.py); "This round of the questionnaire opens on <date>." (surveys.py);
# - messages only API clients or a tampered form can cause: the vote value and idempotency
#   key errors in participation.py, and the English AnswerProblem sentences of
#   survey_answers.py (the questionnaire page words its own, through gettext).
FIXED_MESSAGES: tuple[tuple[str, str], ...] = (
    # participants.py: the invitation link, the side and the identity of a participant
    (
        "src/tracktwo/actions/participants.py",
        "This invitation link does not work any more; ask the person who sent it for a new one.",
    ),
    (
        "src/tracktwo/actions/participants.py",
        "Choose one of the sides, or that you prefer not to say.",
    ),
    (
        "src/tracktwo/actions/participants.py",
        "Choose one of the sides of this dialogue, or that you prefer not to say.",
    ),
    (
        "src/tracktwo/actions/participants.py",
        "This dialogue has not opened yet; try the link again later.",
    ),
    (
        "src/tracktwo/actions/participants.py",
        "We do not know you in this dialogue yet; open the invitation link you were sent.",
    ),
    (
        "src/tracktwo/actions/participants.py",
        "You have not joined this dialogue; open its invitation link to take part.",
    ),
    # participation.py: adding a statement
    (
        "src/tracktwo/actions/participation.py",
        "In this dialogue participants vote on statements but do not add them.",
    ),
    (
        "src/tracktwo/actions/participation.py",
        "This statement is already in the dialogue; you can vote on it instead.",
    ),
    # dialogues.py: the reasons is_accepting gives for not taking votes now
    ("src/tracktwo/actions/dialogues.py", "This dialogue has not opened yet."),
    ("src/tracktwo/actions/dialogues.py", "This dialogue is closed; thank you for taking part."),
    # text.py: the statement a participant writes
    ("src/tracktwo/actions/text.py", "The statement is empty; write one short sentence."),
    # surveys: entering a survey, the open wave, sending answers
    (
        "src/tracktwo/actions/survey_answers.py",
        "We do not know you in this questionnaire yet; open the link you were sent.",
    ),
    (
        "src/tracktwo/actions/survey_answers.py",
        "You take part in this programme, so please answer with the link for participants, "
        "not the comparison group's link.",
    ),
    (
        "src/tracktwo/actions/survey_answers.py",
        "Your answers arrived twice at the same moment; please send them again.",
    ),
    (
        "src/tracktwo/actions/surveys.py",
        "This round of the questionnaire is closed; thank you for taking part.",
    ),
    # participate.py raises this one without gettext: it is shown on the error page
    (
        "src/tracktwo/web/pages/participate.py",
        "This resume link is not valid; use the invitation link of your dialogue instead.",
    ),
    # workshops: joining, and acting in the current step only (actions/workshop*.py)
    *(
        ("src/tracktwo/actions/workshops.py", text)
        for text in (
            "This workshop has ended; thank you for taking part.",
            "We do not know you in this workshop yet; open the invitation link you were sent.",
            "You have not joined this workshop; open its invitation link to take part.",
        )
    ),
    *(
        ("src/tracktwo/actions/workshop_ideas.py", text)
        for text in (
            "The idea is empty; write one short sentence.",
            "Ideas can be added only while the workshop is collecting ideas.",
            "It is not your turn yet; the facilitator will call on you.",
            "This idea is already on the list.",
            "Ideas can be explained only during the ideas and clarification steps.",
            "Only the author of an idea can explain it.",
            "Questions about ideas can be asked only during the clarification step.",
            "Write your question first.",
            "Only the author of an idea can answer questions about it.",
            "Questions about ideas can be answered only during the clarification step.",
            "Write your answer first.",
            "Preference votes can be cast only during the voting step.",
            "Choose at least one idea.",
            "You chose too many ideas; uncheck some and send again.",
            "One of the ideas you chose is not in this workshop any more.",
        )
    ),
    *(
        ("src/tracktwo/actions/workshop_mapping.py", text)
        for text in (
            "This question is no longer open; the page now shows the current one.",
            "Influence questions can be answered only during the mapping step.",
            "An answer to an influence question is yes or no.",
        )
    ),
    (
        "src/tracktwo/web/pages/workshop_participate.py",
        "This resume link is not valid; use the invitation link of your workshop instead.",
    ),
)

PO_HEADER = """\
# {name} translation of the tracktwo participant interface.
# This translation was written for tracktwo. Review by native speakers is welcome:
# please suggest plainer or more natural wording wherever you see it.
# Keep every {{placeholder}} exactly as it is in the English text."""
TEMPLATE_HEADER = """\
# Template of the tracktwo participant interface's messages.
# Made by scripts/extract-messages.py; do not edit by hand."""


class ExtractionError(Exception):
    """The sources do not match what the extractor expects (e.g. a stale fixed message)."""


@dataclass
class Messages:
    """English msgids in first-seen order, each with the places it comes from."""

    locations: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)

    def add(self, msgid: str, path: str, line: int, comment: str | None = None) -> None:
        places = self.locations.setdefault(msgid, [])
        if (path, line) not in places:
            places.append((path, line))
        if comment and comment not in self.comments.setdefault(msgid, []):
            self.comments[msgid].append(comment)

    @property
    def ids(self) -> list[str]:
        return list(self.locations)


@dataclass(frozen=True)
class Drift:
    """How the template differs from the sources."""

    new: list[str]  # in the sources, not yet in the template
    stale: list[str]  # in the template, no longer in the sources

    @property
    def clean(self) -> bool:
        return not self.new and not self.stale

    def describe(self, template: str) -> str:
        lines = [f"- new, not yet in {template}: {msgid!r}" for msgid in self.new]
        lines += [
            f"- in {template} but no longer in the sources: {msgid!r}" for msgid in self.stale
        ]
        if lines:
            lines.append(
                "Run `.venv/bin/python scripts/extract-messages.py update`, then translate the "
                "new texts in every src/tracktwo/locale/<lang>/LC_MESSAGES/tracktwo.po."
            )
        return "\n".join(lines)


def _sources(root: Path, patterns: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(root.glob(pattern))
        if not matches:
            raise ExtractionError(f"No source file matches {pattern} under {root}.")
        found.extend(matches)
    return found


def _from_template(path: Path, root: Path, messages: Messages) -> None:
    tree = Environment().parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(root).as_posix()
    for line, _name, arguments in extract_from_ast(tree, gettext_functions=("_",)):
        # Jinja gives one entry per argument, None for non-literals; ``_(error)`` (a
        # variable) is translated at run time from the fixed messages, so it is skipped.
        first = arguments[0] if isinstance(arguments, tuple) else arguments
        if isinstance(first, str):
            messages.add(first, relative, line)


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_marker(call: ast.Call) -> bool:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id in GETTEXT_NAMES
    # translator(language)("...")
    return (
        isinstance(function, ast.Call)
        and isinstance(function.func, ast.Name)
        and function.func.id == TRANSLATOR_NAME
    )


def _from_python(path: Path, root: Path, messages: Messages) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(root).as_posix()
    found = [
        (node.lineno, node.col_offset, text)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.args and _is_marker(node)
        for text in [_literal(node.args[0])]
        if text is not None
    ]
    # ast.walk goes breadth first; source order keeps the template readable.
    for line, _column, text in sorted(found):
        messages.add(text, relative, line)


def _string_lines(path: Path) -> dict[str, int]:
    """Every string literal in a Python file (adjacent parts joined) and its first line."""
    lines: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            lines[node.value] = min(node.lineno, lines.get(node.value, node.lineno))
    return lines


def _fixed(root: Path, messages: Messages) -> None:
    by_file: dict[str, dict[str, int]] = {}
    for relative, text in FIXED_MESSAGES:
        if relative not in by_file:
            by_file[relative] = _string_lines(root / relative)
        line = by_file[relative].get(text)
        if line is None:
            raise ExtractionError(
                f"The message {text!r} is no longer in {relative}; update FIXED_MESSAGES in "
                "scripts/extract-messages.py to the new wording (or remove it)."
            )
        messages.add(text, relative, line, comment="Error message shown to participants.")


def extract_messages(root: Path = ROOT) -> Messages:
    """Every participant-facing msgid in the sources under ``root``, in a stable order."""
    messages = Messages()
    for path in _sources(root, TEMPLATE_SOURCES):
        _from_template(path, root, messages)
    for path in _sources(root, PYTHON_SOURCES):
        _from_python(path, root, messages)
    _fixed(root, messages)
    return messages


def _brace_format_only(catalogue: Catalog) -> None:
    """Drop Babel's guessed ``python-format`` flag ("95% intervals" looks like ``% i``).

    Placeholders here are only ever filled with ``str.format``; a wrong ``%`` flag would make
    translation tools demand a ``%`` directive the translation must not have.
    """
    for message in catalogue:
        message.flags.discard("python-format")


def build_template(messages: Messages) -> Catalog:
    template = Catalog(project="tracktwo", header_comment=TEMPLATE_HEADER, fuzzy=False)
    for msgid in messages.ids:
        template.add(
            msgid,
            locations=messages.locations[msgid],
            auto_comments=messages.comments.get(msgid, ()),
        )
    _brace_format_only(template)
    return template


def template_path(root: Path = ROOT) -> Path:
    return root / LOCALE / TEMPLATE_NAME


def catalogue_path(language: str, root: Path = ROOT) -> Path:
    return root / LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(root: Path = ROOT) -> list[str]:
    """The languages that have a catalogue."""
    base = root / LOCALE
    return sorted(p.parent.parent.name for p in base.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read_catalogue(path: Path, language: str | None = None) -> Catalog:
    """A .po or .pot file, read with Babel."""
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def _render(catalogue: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=LINE_WIDTH, sort_output=False)
    return buffer.getvalue()


def _without_dates(content: bytes) -> bytes:
    return b"\n".join(
        line
        for line in content.splitlines()
        if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))
    )


def _write_if_changed(path: Path, content: bytes) -> bool:
    """Write unless only the dates differ, so an update without changes leaves git clean."""
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _language_name(language: str) -> str:
    try:
        return str(Locale.parse(language).english_name or language)
    except (UnknownLocaleError, ValueError):
        raise ExtractionError(
            f"{language!r} is not a language code Babel knows; use ISO 639-1, e.g. fr."
        ) from None


def new_catalogue(language: str) -> Catalog:
    name = _language_name(language)
    return Catalog(
        locale=language,
        project="tracktwo",
        domain=DOMAIN,
        header_comment=PO_HEADER.format(name=name),
        last_translator="tracktwo contributors",
        language_team=name,
        fuzzy=False,
    )


def update(root: Path = ROOT, add: Sequence[str] = ()) -> list[Path]:
    """Rewrite the template and merge it into every catalogue; return the files changed."""
    for language in add:
        _language_name(language)  # refuse an unknown code before writing anything
    template = build_template(extract_messages(root))
    changed: list[Path] = []
    if _write_if_changed(template_path(root), _render(template)):
        changed.append(template_path(root))
    for language in sorted({*languages(root), *add}):
        path = catalogue_path(language, root)
        catalogue = read_catalogue(path, language) if path.exists() else new_catalogue(language)
        # A text that comes back (a change undone) gets its old translation back.
        for msgid in [key for key in catalogue.obsolete if key in template]:
            catalogue[msgid] = catalogue.obsolete.pop(msgid)
        # Exact matches only: a guessed ("fuzzy") translation of a similar text would be
        # hidden from participants anyway, and could mislead a translator in a hurry.
        catalogue.update(template, no_fuzzy_matching=True, update_header_comment=False)
        _brace_format_only(catalogue)
        if _write_if_changed(path, _render(catalogue)):
            changed.append(path)
    return changed


def check(root: Path = ROOT) -> Drift:
    """Compare the msgids in the sources with those in the template, changing nothing."""
    wanted = extract_messages(root).ids
    path = template_path(root)
    present = [str(m.id) for m in read_catalogue(path) if m.id] if path.exists() else []
    known, used = set(present), set(wanted)
    return Drift(
        new=[msgid for msgid in wanted if msgid not in known],
        stale=[msgid for msgid in present if msgid not in used],
    )


def main(argv: Sequence[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("update", help="rewrite the template and merge it into every .po")
    commands.add_parser("check", help="exit 1 if the template is out of date with the sources")
    add = commands.add_parser("add", help="start catalogues for new languages, then update")
    add.add_argument("language", nargs="+", help="ISO 639-1 code, e.g. fr")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "check":
            drift = check(root)
            if not drift.clean:
                print(drift.describe(TEMPLATE_NAME), file=sys.stderr)
                return 1
            print(f"{TEMPLATE_NAME} is up to date ({len(extract_messages(root).ids)} messages).")
            return 0
        changed = update(root, add=arguments.language if arguments.command == "add" else ())
    except ExtractionError as exc:
        print(exc, file=sys.stderr)
        return 2
    for path in changed:
        print(f"updated {path.relative_to(root)}")
    if not changed:
        print("nothing to update")
    return 0


if __name__ == "__main__":
    sys.exit(main())
