"""The interface's translations: one catalogue per part, complete, faithful, up to date.

Every catalogue folder (the core's and each registered part's) is checked the same way, with
Babel's own tools: the template (``tracktwo.pot``) holds exactly what ``pybabel extract``
finds in that part's sources, each language's ``.po`` holds exactly the template's messages
(``pybabel update --check``), every message is translated with the same placeholders, and the
running platform reads every translation. A developer who adds a message and forgets
``make messages`` or a translation gets a failure here that names the text and what to run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tracktwo.kernel.i18n import (
    available_languages,
    catalogue_folders,
    direction,
    plural,
    translator,
    use_catalogues,
)
from tracktwo.parts import CORE, all_parts, locale_folders

ROOT = Path(__file__).resolve().parents[1]
PYBABEL = str(Path(sys.executable).with_name("pybabel"))
LANGUAGES = ["ar", "he", "el", "tr", "ru", "uk"]
RIGHT_TO_LEFT = {"ar", "he"}
# What each catalogue is extracted from (as `make messages` does).
SOURCES = {
    part.name: (
        ["src/tracktwo/common", "src/tracktwo/web", "src/tracktwo/kernel"]
        if part is CORE
        else [str(part.directory.relative_to(ROOT))]
    )
    for part in all_parts()
    if part.locale is not None
}
FOLDERS = {part.name: part.locale for part in all_parts() if part.locale is not None}
CASES = [(name, language) for name in FOLDERS for language in LANGUAGES]


@pytest.fixture(autouse=True)
def _every_catalogue() -> Iterator[None]:
    before = catalogue_folders()
    use_catalogues(locale_folders())
    yield
    use_catalogues(before)


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _po(part: str, language: str) -> Path:
    folder = FOLDERS[part]
    assert folder is not None
    return folder / language / "LC_MESSAGES" / "tracktwo.po"


def _msgids(catalogue: Catalog) -> set[str]:
    return {str(message.id) for message in catalogue if message.id}


def _extract(sources: list[str], out: Path, root: Path = ROOT) -> set[str]:
    subprocess.run(
        [PYBABEL, "-q", "extract", "-F", "babel.cfg", "--omit-header", "-o", str(out), *sources],
        cwd=root,
        check=True,
    )
    return _msgids(_read(out))


def _fields(text: str) -> Counter[tuple[str, str, str]]:
    return Counter(
        (name, spec or "", conversion or "")
        for _literal, name, spec, conversion in Formatter().parse(text)
        if name is not None
    )


def test_extraction_finds_each_kind_of_source(tmp_path: Path) -> None:
    found = set()
    for name, sources in SOURCES.items():
        found |= _extract(sources, tmp_path / f"{name}.pot")
    expected = [
        "Skip to content",  # a template: base.html
        "Language",  # single quotes in a template: _join_form.html
        "{seen} seen, {remaining} to go",  # _() with values in statement.html
        "Group {letter}",  # _() in the opinion engine's figures
        "Please confirm that you have read how your answers are used.",  # gettext() in a page
        # gettext() over two adjacent literals
        "Thank you. Your statement will be shown to others once a facilitator has read it.",
        "The statement is empty; write one short sentence.",  # N_() in the kernel
        "This workshop has ended; thank you for taking part.",  # N_() in a part's actions
    ]
    for msgid in expected:
        assert msgid in found, f"pybabel extract did not find {msgid!r}"
    assert all(text.strip() for text in found), "a non-literal _(...) was taken as a msgid"


@pytest.mark.parametrize("part", sorted(FOLDERS))
def test_each_catalogue_is_up_to_date_with_its_sources(part: str, tmp_path: Path) -> None:
    folder = FOLDERS[part]
    assert folder is not None
    committed = _msgids(_read(folder / "tracktwo.pot"))
    extracted = _extract(SOURCES[part], tmp_path / "fresh.pot")
    assert extracted == committed, (
        f"{folder.relative_to(ROOT)}/tracktwo.pot is out of date: new "
        f"{sorted(extracted - committed)}, gone {sorted(committed - extracted)}. "
        "Run `make messages`, then translate the new messages."
    )
    for language in LANGUAGES:  # what `pybabel update` would leave: the template's messages
        held = _msgids(_read(_po(part, language), language))
        assert held == committed, (
            f"{_po(part, language).relative_to(ROOT)} does not match its template: new "
            f"{sorted(committed - held)}, stale {sorted(held - committed)}. Run `make messages`."
        )


def test_the_six_participant_languages_have_catalogues() -> None:
    for part in FOLDERS:
        for language in LANGUAGES:
            assert _po(part, language).exists(), f"{part} has no {language} catalogue"
    assert set(LANGUAGES) <= set(available_languages())


@pytest.mark.parametrize(("part", "language"), CASES)
def test_every_message_is_translated(part: str, language: str) -> None:
    catalogue = _read(_po(part, language), language)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(str(text or "").strip() for text in strings):
            problems.append(f"not translated: {message.id!r}")
        elif message.fuzzy:
            problems.append(f"marked fuzzy (so never shown): {message.id!r}")
    assert not problems, (
        f"{_po(part, language).relative_to(ROOT)}:\n" + "\n".join(problems) + "\nFill these msgstr."
    )


@pytest.mark.parametrize(("part", "language"), CASES)
def test_placeholders_are_kept_exactly(part: str, language: str) -> None:
    for message in _read(_po(part, language), language):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translation in strings:
            assert _fields(str(translation)) == _fields(str(ids[-1])), (
                f"{language}: the placeholders of {translation!r} differ from {ids[-1]!r}"
            )
            values = {name: "7" for name, _spec, _conversion in _fields(str(ids[-1]))}
            str(translation).format(**values)  # a stray brace would raise here


@pytest.mark.parametrize(("part", "language"), CASES)
def test_each_catalogue_compiles_with_its_plural_forms(part: str, language: str) -> None:
    catalogue = _read(_po(part, language), language)
    # Babel takes "95% intervals" for a %-format; our messages use {name} placeholders only
    # (checked above), so that one check does not apply.
    errors = [
        (message.id, problems)
        for message, problems in catalogue.check()
        if any("placeholders" not in str(problem) for problem in problems)
    ]
    assert not errors, f"{part}/{language}: {errors[:3]}"
    assert catalogue.plural_expr, f"{part}/{language} has no Plural-Forms header"


@pytest.mark.parametrize(("part", "language"), CASES)
def test_the_running_interface_sees_every_translation(part: str, language: str) -> None:
    gettext = translator(language)
    for message in _read(_po(part, language), language):
        if message.id and isinstance(message.id, str) and message.string:
            assert gettext(message.id) == message.string, f"{language}: {message.id!r} not read"


def test_catalogues_of_different_parts_are_merged() -> None:
    # one message from the core's catalogue and one from a part's, through one translator
    assert translator("ar")("Skip to content") != "Skip to content"
    assert translator("ar")("This workshop has ended; thank you for taking part.") != (
        "This workshop has ended; thank you for taking part."
    )


def test_plural_forms_follow_each_language(tmp_path: Path) -> None:
    # Russian has three plural forms; a catalogue with one plural message, compiled and read
    # exactly as the platform reads its own.
    folder = tmp_path / "locale"
    (folder / "ru" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "ru" / "LC_MESSAGES" / "tracktwo.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && '
        '(n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "{n} vote"\nmsgid_plural "{n} votes"\n'
        'msgstr[0] "{n} голос"\nmsgstr[1] "{n} голоса"\nmsgstr[2] "{n} голосов"\n',
        encoding="utf-8",
    )
    use_catalogues([folder])
    ngettext = plural("ru")
    assert [ngettext("{n} vote", "{n} votes", n) for n in (1, 3, 5, 21)] == [
        "1 голос",
        "3 голоса",
        "5 голосов",
        "21 голос",
    ]
    assert plural("en")("{n} vote", "{n} votes", 2) == "2 votes"


def test_a_new_message_makes_the_catalogue_out_of_date(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "babel.cfg", copy / "babel.cfg")
    template = copy / "src/tracktwo/common/templates/participate/welcome.html"
    template.write_text(template.read_text() + '\n<p>{{ _("A brand new sentence.") }}</p>\n')
    fresh = _extract(SOURCES["core"], tmp_path / "fresh.pot", root=copy)
    committed = _msgids(_read(ROOT / "src/tracktwo/common/locale/tracktwo.pot"))
    assert fresh - committed == {"A brand new sentence."}


def test_greek_uses_the_semicolon_only_as_its_question_mark() -> None:
    # In Greek ";" is the question mark: a Latin-style semicolon would read as a question.
    for part in FOLDERS:
        for message in _read(_po(part, "el"), "el"):
            if not message.id or not isinstance(message.string, str):
                continue
            text = message.string
            if ";" in text:
                assert text.endswith(";") and text.count(";") == 1, text
                assert str(message.id).endswith("?"), text


def test_right_to_left_languages() -> None:
    for language in LANGUAGES:
        expected = "rtl" if language in RIGHT_TO_LEFT else "ltr"
        assert direction(language) == expected, language


def test_translator_fills_in_the_catalogue_text() -> None:
    assert translator("ar")("Agree") == "أوافق"
    assert translator("he")("Agree") == "מסכים/ה"
    assert translator("ru")("At most {n} characters.", n=140) == "Максимум символов: 140."
    assert translator("tr")("{seen} seen, {remaining} to go", seen=3, remaining=17) == (
        "3 görüldü, 17 kaldı"
    )
    assert translator("en")("Agree") == "Agree"
