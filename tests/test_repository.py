"""Guards on what the repository contains: our own front-end code only, a curated public API."""

from __future__ import annotations

import re
from pathlib import Path

import tracktwo
from tracktwo.parts import all_parts

ROOT = Path(__file__).resolve().parents[1]
STATIC = [ROOT / "src" / "tracktwo" / "web" / "static"] + [
    part.static for part in all_parts() if part.static is not None
]
THIRD_PARTY_MARKS = re.compile(
    r"(@license|copyright \(c\)|jquery|htmx|bootstrap|alpine\.js|d3\.js|chart\.js|MIT License)",
    re.IGNORECASE,
)


def test_static_files_are_our_own_small_code() -> None:
    files = [p for folder in STATIC for p in folder.rglob("*") if p.is_file()]
    assert files, "the static folder should hold our CSS and JS"
    for path in files:
        assert path.suffix in {".css", ".js", ".svg", ".ico"}, f"unexpected static file {path.name}"
        text = path.read_text()
        assert not THIRD_PARTY_MARKS.search(text), f"{path.name} looks like third-party code"
        assert ".min." not in path.name
        longest = max((len(line) for line in text.splitlines()), default=0)
        assert longest < 400, f"{path.name} has a minified-looking line of {longest} characters"
    assert sum(p.stat().st_size for p in files) < 60_000


def test_no_vendored_folders() -> None:
    for name in ("node_modules", "vendor", "third_party"):
        assert not list(ROOT.joinpath("src").rglob(name)), f"a {name} folder appeared in src/"


def test_public_names_are_deliberate() -> None:
    assert "__version__" in tracktwo.__all__
    for name in tracktwo.__all__:
        assert hasattr(tracktwo, name), f"tracktwo.__all__ names {name}, which does not exist"
