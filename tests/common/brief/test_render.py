"""Small pieces of the rendering: the direction of a statement, the format of a file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracktwo.common.brief.render import brief_format, text_direction
from tracktwo.kernel.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("עברית קודם", "rtl"),
        ("2024: ينبغي", "rtl"),  # digits and punctuation are weak: the Arabic decides
        ("Water, then מים", "auto"),
        ("", "auto"),
        ("123 …", "auto"),
    ],
)
def test_text_direction_follows_the_first_strong_character(text: str, expected: str) -> None:
    assert text_direction(text) == expected


def test_the_extension_chooses_the_format() -> None:
    assert brief_format(Path("a/brief.PDF")) == "pdf"
    assert brief_format(Path("brief.htm")) == "html"
    with pytest.raises(InvalidInput, match=r"must end in \.html or \.pdf\.$"):
        brief_format(Path("brief.docx"))
