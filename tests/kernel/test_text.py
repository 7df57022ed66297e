"""The one text-input policy: what every field does with what people type."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.text import (
    ISOLATES,
    OVERRIDE_TO_ISOLATE,
    clean_text,
    is_plain_token,
    refuse_controls,
)

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"


def _depth_never_negative_and_closed(line: str) -> bool:
    depth = 0
    for ch in line:
        if ch in (LRI, RLI, "\u2068"):
            depth += 1
        elif ch == PDI:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


@pytest.mark.parametrize(
    ("character", "shown"),
    [
        ("\x00", "NUL character (U+0000)"),
        ("\x07", "U+0007"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x9b", "U+009B"),
        ("\ud800", "U+D800"),
    ],
)
@pytest.mark.parametrize("multiline", [False, True])
def test_controls_are_refused_with_one_sentence_naming_them(
    character: str, shown: str, multiline: bool
) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_text(f"Peace{character} talks", "initiative name", 200, multiline=multiline)
    message = caught.value.message
    assert shown in message
    assert message.startswith("The initiative name contains")
    assert message.count(". ") == 0 and message.endswith(".")


def test_white_space_is_folded_in_one_line_fields_and_kept_in_multi_line_ones() -> None:
    assert clean_text("  Water\tand\r\n land  ", "topic", 100) == "Water and land"
    text = "First line\r\nsecond\tline  \rthird\u2028fourth"
    assert clean_text(text, "answer", 100, multiline=True) == (
        "First line\nsecond\tline\nthird\nfourth"
    )


def test_text_is_stored_in_nfc() -> None:
    decomposed = "Cafe\u0301 ve\u0301rite\u0301"
    cleaned = clean_text(decomposed, "name", 100)
    assert cleaned == unicodedata.normalize("NFC", decomposed)
    assert cleaned != decomposed and len(cleaned) == len(decomposed) - 3


@pytest.mark.parametrize(("override", "isolate"), sorted(OVERRIDE_TO_ISOLATE.items()))
def test_each_override_becomes_its_isolate(override: str, isolate: str) -> None:
    if isolate == PDI:  # a closer alone closes nothing, so it is dropped
        assert clean_text(f"a{override}b", "name", 20) == "ab"
        assert clean_text(f"{LRI}a{override}b", "name", 20) == f"{LRI}a{PDI}b"
    else:
        assert clean_text(f"a{override}bc", "name", 20) == f"a{isolate}bc{PDI}"


def test_the_classic_reversal_trick_can_no_longer_reorder_what_follows() -> None:
    # "Invoice_\u202egpj.exe" displays as "Invoice_exe.jpg" with an override.
    cleaned = clean_text("I agree \u202eesaeler ton\u202c with the release", "answer", 200)
    assert "\u202e" not in cleaned and "\u202c" not in cleaned
    assert cleaned == f"I agree {RLI}esaeler ton{PDI} with the release"


def test_isolates_are_closed_on_every_line_of_a_multi_line_text() -> None:
    cleaned = clean_text(f"{RLI}line one\nline two{PDI}{PDI}", "answer", 100, multiline=True)
    first, second = cleaned.split("\n")
    assert first == f"{RLI}line one{PDI}"
    assert second == "line two"


def test_marks_and_joiners_that_right_to_left_writers_need_are_kept() -> None:
    text = "\u05e9\u05dc\u05d5\u05dd\u200f 2025 \u0633\u0644\u0627\u0645\u061c \u200d\u200c"
    assert clean_text(text, "name", 100) == text.strip()


@pytest.mark.parametrize("value", ["", "   ", "\t\r\n", f"{LRI}{PDI}", "\u200f\u200e", "\u202e"])
def test_invisible_texts_count_as_empty(value: str) -> None:
    with pytest.raises(InvalidInput, match=r"The title must not be empty."):
        clean_text(value, "title", 50)
    assert clean_text(value, "title", 50, required=False) == ""
    with pytest.raises(InvalidInput, match=r"^Write something first.$"):
        clean_text(value, "title", 50, empty_message="Write something first.")


def test_length_is_counted_after_cleaning_and_huge_inputs_are_refused_early() -> None:
    assert clean_text("x" * 10 + " " * 500, "label", 10) == "x" * 10
    with pytest.raises(InvalidInput, match=r"too long \(11 characters; at most 10\)\. Be brief\."):
        clean_text("x" * 11, "label", 10, too_long_hint="Be brief.")
    with pytest.raises(InvalidInput, match=r"far too long"):
        clean_text("x" * 10_000_000, "label", 10)


def test_refuse_controls_changes_nothing_and_refuses_nul() -> None:
    refuse_controls("pass word\twith tab é", "password")
    with pytest.raises(InvalidInput, match=r"password contains a NUL"):
        refuse_controls("secret\x00", "password")


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("Abc-_09", True),
        ("", False),
        ("a\x00b", False),
        ("a b", False),
        ("a%00", False),
        ("\u0663", False),
        ("x" * 201, False),
    ],
)
def test_tokens_are_url_safe_base64_only(value: str, plain: bool) -> None:
    assert is_plain_token(value) is plain


_ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8")
    | st.sampled_from(sorted(OVERRIDE_TO_ISOLATE) + sorted(ISOLATES) + ["\n", "\t", "\r"]),
    max_size=60,
)


@given(_ANY_TEXT, st.booleans())
def test_whatever_is_typed_the_result_is_clean_or_one_sentence(text: str, multiline: bool) -> None:
    try:
        cleaned = clean_text(text, "answer", 500, multiline=multiline, required=False)
    except InvalidInput as error:
        assert error.message.startswith("The answer contains")
        return
    assert unicodedata.is_normalized("NFC", cleaned) or any(ch in ISOLATES for ch in cleaned)
    assert not any(ch in OVERRIDE_TO_ISOLATE for ch in cleaned)
    assert "\x00" not in cleaned and "\r" not in cleaned
    assert cleaned == cleaned.strip()
    for line in cleaned.split("\n"):
        assert _depth_never_negative_and_closed(line)
    if not multiline:
        assert "\n" not in cleaned and "\t" not in cleaned and "  " not in cleaned
    # Cleaning is idempotent: stored text passes the policy again unchanged.
    assert clean_text(cleaned, "answer", 500, multiline=multiline, required=False) == cleaned


def test_excerpts_are_short_and_printable() -> None:
    from tracktwo.kernel.text import excerpt

    assert excerpt("x" * 100_000) == "x" * 39 + "…"
    assert excerpt("a\x00b\u202ec\u2066d\n e", 40) == "abcd e"
    assert excerpt(12345) == "12345"
