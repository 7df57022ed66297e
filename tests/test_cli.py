"""The `tracktwo` command line: every command, and bad input as exit code 2 with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.harness.data import require_polis_data
from tracktwo import __version__
from tracktwo.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKTWO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKTWO_DATABASE_URL", raising=False)
    return tmp_path


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_version_and_help() -> None:
    assert run("--version").output.strip() == f"tracktwo, version {__version__}"
    text = run("--help").output
    for command in ("demo", "serve", "db", "user", "token"):
        assert command in text


def test_db_upgrade_user_and_token(env: Path) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0 and "up to date" in result.output
    assert (env / "tracktwo.db").exists()
    created = run(
        "user",
        "create",
        "amal@example.org",
        "--name",
        "Amal",
        "--password-stdin",
        input="a long password\n",
    )
    assert created.exit_code == 0 and "Amal <amal@example.org>" in created.output
    duplicate = run(
        "user", "create", "amal@example.org", "--password-stdin", input="a long password\n"
    )
    assert duplicate.exit_code == 2
    assert (
        duplicate.output.strip()
        == "tracktwo: An account with the email amal@example.org already exists."
    )
    token = run("token", "create", "amal@example.org")
    assert token.exit_code == 0 and token.output.startswith("tt_")
    unknown = run("token", "create", "nobody@example.org")
    assert (
        unknown.exit_code == 2 and "no account with the email nobody@example.org" in unknown.output
    )


def test_a_short_password_is_refused(env: Path) -> None:
    run("db", "upgrade")
    result = run("user", "create", "a@example.org", "--password-stdin", input="short\n")
    assert result.exit_code == 2
    assert result.output.strip() == "tracktwo: The password must have at least 10 characters."


def test_commands_need_an_upgraded_database(env: Path) -> None:
    result = run("token", "create", "a@example.org")
    assert result.exit_code == 2 and "run `tracktwo db upgrade` first" in result.output


def test_demo_sets_up_and_can_run_twice(env: Path) -> None:
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "facilitator@demo.tracktwo.invalid" in first.output
    # every part of the demo is announced with its page
    for path in ("/dialogues/1/results", "/workshops/1", "/workshops/2", "/surveys/1/results"):
        assert f"http://127.0.0.1:8000{path}\n" in first.output
    second = run("demo", "--no-serve")
    assert second.exit_code == 0
    password = next(line.split()[-1] for line in second.output.splitlines() if "Password" in line)
    from tracktwo.common.accounts.actions import authenticate
    from tracktwo.kernel.config import Settings
    from tracktwo.store.platform import Platform

    platform = Platform(Settings())
    with platform.database.transaction() as db:
        assert authenticate(db, "facilitator@demo.tracktwo.invalid", password)
        from tracktwo.common.initiatives.actions import list_initiatives

        assert len(list_initiatives(db, None)) == 1  # not duplicated by the second run
    platform.close()


def test_serve_with_an_unreachable_postgres_is_one_line(tmp_path: Path) -> None:
    """Run as a real process: the exit code and the whole of stderr are what a user sees."""
    result = subprocess.run(
        [sys.executable, "-m", "tracktwo", "serve", "--port", "8765"],
        env={
            "TRACKTWO_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/tracktwo",
            "TRACKTWO_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "tracktwo: Cannot reach the database at postgresql+psycopg://nobody@"
    )
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracktwo", "db", "upgrade"],
        env={
            "TRACKTWO_MIN_CELL_SIZE": "1",
            "TRACKTWO_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "at least 3" in result.stderr


def test_dialogue_import_and_export(env: Path) -> None:
    run("demo", "--no-serve")
    imported = run("dialogue", "import", "1", str(require_polis_data() / "london.youth.policing"))
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("Imported") and "as dialogue 2" in imported.output
    out = env / "export.zip"
    exported = run("dialogue", "export", "2", str(out))
    assert exported.exit_code == 0 and out.stat().st_size > 1000
    missing = run("dialogue", "import", "1", str(env / "nowhere"))
    assert missing.exit_code == 2 and missing.output.startswith("tracktwo:")
    assert run("dialogue", "export", "99", str(out)).exit_code == 2
    unwritable = run("dialogue", "export", "2", str(env / "no" / "such" / "dir.zip"))
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.output.lower()
