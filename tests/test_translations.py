"""The participant interface's translations: complete, faithful to placeholders, up to date.

A developer who adds a participant-facing text without running the extraction, or without
translating it, gets a failure here that names the text and says what to run.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections import Counter
from pathlib import Path
from string import Formatter
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

from tracktwo.kernel.i18n import available_languages, direction, translator

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["ar", "he", "el", "tr", "ru", "uk"]
RIGHT_TO_LEFT = {"ar", "he"}


def _load_extractor() -> ModuleType:
    # The script's file name has a hyphen, so it is loaded from its path; dataclasses need
    # the module registered before it runs.
    name = "tracktwo_extract_messages"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "extract-messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


extractor = _load_extractor()
CATALOGUES = extractor.languages(ROOT)  # the six above and any added since


@pytest.fixture(scope="module")
def msgids() -> list[str]:
    return list(extractor.extract_messages(ROOT).ids)


def _catalogue(language: str, root: Path = ROOT) -> Catalog:
    path = extractor.catalogue_path(language, root)
    catalogue: Catalog = extractor.read_catalogue(path, language)
    return catalogue


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer contains {old!r}; update this test"
    path.write_text(text.replace(old, new))


def _fields(text: str) -> Counter[tuple[str, str, str]]:
    return Counter(
        (name, spec or "", conversion or "")
        for _literal, name, spec, conversion in Formatter().parse(text)
        if name is not None
    )


def test_extraction_finds_each_kind_of_source(msgids: list[str]) -> None:
    # One message per way of marking text, read off the sources by hand.
    expected = [
        "Skip to content",  # base.html
        "Language",  # single quotes in join.html
        "{seen} seen, {remaining} to go",  # _() with values in statement.html
        "Group {letter}",  # figures.py
        "Please confirm that you have read how your answers are used.",  # translator(..)(..)
        # gettext() over two adjacent literals in participate.py
        "Thank you. Your statement will be shown to others once a facilitator has read it.",
        "The statement is empty; write one short sentence.",  # fixed list, actions/text.py
        "This dialogue is closed; thank you for taking part.",  # fixed list, is_accepting
    ]
    missing = [text for text in expected if text not in msgids]
    assert not missing, f"the extraction missed {missing}"
    assert len(msgids) == len(set(msgids))
    assert all(text.strip() for text in msgids), "a non-literal _(...) was taken as a msgid"


def test_the_six_participant_languages_have_catalogues() -> None:
    assert set(LANGUAGES) <= set(extractor.languages(ROOT))
    assert set(LANGUAGES) <= set(available_languages())


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_is_translated(language: str, msgids: list[str]) -> None:
    catalogue = _catalogue(language)
    problems = []
    for msgid in msgids:
        message = catalogue.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif not str(message.string or "").strip():
            problems.append(f"not translated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"marked fuzzy (so never shown): {msgid!r}")
    assert not problems, (
        f"src/tracktwo/locale/{language}/LC_MESSAGES/tracktwo.po:\n"
        + "\n".join(problems)
        + "\nRun `.venv/bin/python scripts/extract-messages.py update` and fill these msgstr."
    )


@pytest.mark.parametrize("language", CATALOGUES)
def test_placeholders_are_kept_exactly(language: str, msgids: list[str]) -> None:
    catalogue = _catalogue(language)
    for msgid in msgids:
        message = catalogue.get(msgid)
        if message is None:
            continue  # reported by test_every_message_is_translated
        translation = str(message.string)
        assert _fields(translation) == _fields(msgid), (
            f"{language}: the placeholders of {translation!r} differ from those of {msgid!r}"
        )
        values = {name: "7" for name, _spec, _conversion in _fields(msgid)}
        translation.format(**values)  # a stray brace would raise here


@pytest.mark.parametrize("language", CATALOGUES)
def test_the_running_interface_sees_every_translation(language: str, msgids: list[str]) -> None:
    catalogue = _catalogue(language)
    gettext = translator(language)
    for msgid in msgids:
        message = catalogue.get(msgid)
        if message is None or not message.string:
            continue  # reported by test_every_message_is_translated
        assert gettext(msgid) == message.string, f"{language}: {msgid!r} is not read at run time"


def test_greek_uses_the_semicolon_only_as_its_question_mark() -> None:
    # In Greek ";" is the question mark: a Latin-style semicolon would read as a question.
    catalogue = _catalogue("el")
    for message in catalogue:
        if not message.id:
            continue
        text = str(message.string)
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


def test_template_is_up_to_date_with_the_sources() -> None:
    drift = extractor.check(ROOT)
    assert drift.clean, "\n" + drift.describe("src/tracktwo/locale/tracktwo.pot")


# --- the extraction script itself, on a copy of the sources ----------------------------------


@pytest.fixture
def copy_of_sources(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src" / "tracktwo",
        tmp_path / "src" / "tracktwo",
        ignore=shutil.ignore_patterns("__pycache__", "static", "migrations"),
    )
    # Start in step, so these tests check the script even while the real tree is not.
    extractor.update(tmp_path)
    return tmp_path


def test_a_new_untranslated_text_is_named_then_merged(copy_of_sources: Path) -> None:
    root = copy_of_sources
    template = root / "src/tracktwo/web/templates/participate/welcome.html"
    _edit(template, "{% endblock %}", '<p>{{ _("Your link was copied.") }}</p>\n{% endblock %}')
    drift = extractor.check(root)
    assert drift.new == ["Your link was copied."]
    assert "Your link was copied." in drift.describe("tracktwo.pot")
    assert drift.stale == []

    changed = extractor.update(root)
    assert extractor.template_path(root) in changed
    assert extractor.check(root).clean
    for language in LANGUAGES:
        catalogue = _catalogue(language, root)
        assert catalogue["Your link was copied."].string == ""
        assert catalogue["Agree"].string == _catalogue(language)["Agree"].string
    assert extractor.update(root) == [], "a second update with no change rewrote files"


def test_a_removed_text_is_reported_as_stale(copy_of_sources: Path) -> None:
    root = copy_of_sources
    template = root / "src/tracktwo/web/templates/participate/map.html"
    # Still marked in write.html, so still needed.
    _edit(template, '{{ _("Back to voting") }}', "Back")
    assert extractor.check(root).clean
    hint = "The map appears once enough people have voted. Please check again later."
    marked = f'{{{{ _("{hint}") }}}}'
    _edit(template, marked, "Later.")
    drift = extractor.check(root)
    assert drift.stale == [hint]
    assert drift.new == []

    extractor.update(root)
    assert hint not in _catalogue("ar", root)
    _edit(template, "Later.", marked)
    extractor.update(root)
    assert _catalogue("ar", root)[hint].string == _catalogue("ar")[hint].string


def test_a_reworded_error_message_fails_loudly(copy_of_sources: Path) -> None:
    root = copy_of_sources
    text_py = root / "src/tracktwo/actions/text.py"
    _edit(text_py, "The statement is empty; write one short sentence.", "Write a statement first.")
    with pytest.raises(extractor.ExtractionError, match="The statement is empty"):
        extractor.extract_messages(root)


def test_the_command_line(copy_of_sources: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_of_sources
    assert extractor.main(["check"], root) == 0
    assert f"({len(extractor.extract_messages(root).ids)} messages)" in capsys.readouterr().out
    figures = root / "src/tracktwo/opinion/figures.py"
    _edit(figures, '_("You")', '_("You are here")')
    assert extractor.main(["check"], root) == 1
    assert "'You are here'" in capsys.readouterr().err
    assert extractor.main(["add", "fr"], root) == 0
    assert "locale/fr/LC_MESSAGES/tracktwo.po" in capsys.readouterr().out
    french = _catalogue("fr", root)
    assert "You are here" in french
    assert "review by native speakers" in (french.header_comment or "").lower()
    assert extractor.main(["add", "not-a-language"], root) == 2
    assert "not a language code" in capsys.readouterr().err
