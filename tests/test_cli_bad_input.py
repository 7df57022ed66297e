"""Every command of the `tracktwo` CLI under bad input: exit code 2 and one line, never a traceback.

The commands and their parameters come from the Click tree itself. Each parameter has a
*kind* (taken from its Click type, or from :data:`KINDS` by name), and each kind a list of
generated bad values: Unicode digits and 30-digit numbers for ids, ``nan`` and ``1e400`` for
floats, control characters and bidi overrides for text, and for files everything a file can
be instead of a readable file: missing, a folder, a symlink loop, a FIFO (which once hung the
command), binary, with a "²" column or infinite timestamps. A parameter whose kind is unknown
fails the coverage test, so a new command is covered as soon as it exists.

Bad input must end with exit code 2 and exactly one line on stderr; text that the policy
can clean (a bidi override in a name) may also be accepted (exit 0).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tracktwo.cli import main

SLOW_OR_SERVING = {"tracktwo serve", "tracktwo demo", "tracktwo worker"}


def _commands(group: click.Group, prefix: str = "tracktwo") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


COMMANDS = dict(_commands(main))


@dataclass(frozen=True)
class Workspace:
    root: Path
    email: str
    polis: Path
    responses: Path
    sides: Path


# --- what a valid value of each kind is, and which bad values each kind gets ----------------

VOTES = "timestamp,datetime,comment-id,voter-id,vote\n" + "".join(
    f"{1700000000000 + i},x,{i % 3},{i % 7},{(-1, 0, 1)[i % 3]}\n" for i in range(60)
)
COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n" + (
    "".join(f"1700000000000,x,{i},0,0,0,1,Statement {i}\n" for i in range(3))
)


def _polis(folder: Path, votes: str = VOTES, comments: str = COMMENTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "votes.csv").write_text(votes)
    (folder / "comments.csv").write_text(comments)
    return folder


def _loop(path: Path) -> Path:
    path.symlink_to(path)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


Case = Callable[[Path], str]  # given a fresh folder, the value to pass

INPUT_FILE_CASES: dict[str, Case] = {
    "missing": lambda t: str(t / "missing.csv"),
    "directory": lambda t: str(_dir(t / "folder.csv")),
    "symlink-loop": lambda t: str(_loop(t / "loop.csv")),
    "fifo": lambda t: str(_fifo(t / "pipe.csv")),
    "empty": lambda t: str(_file(t / "empty.csv", b"")),
    "binary": lambda t: str(_file(t / "binary.csv", bytes(range(256)) * 40)),
    "nul": lambda t: str(_file(t / "nul.csv", b"respondent,wave\n\x00,pre\n")),
    "unicode-digit-header": lambda t: str(_file(t / "digits.csv", "²,side\n1,a\n".encode())),
}
POLIS_FOLDER_CASES: dict[str, Case] = {
    "missing": lambda t: str(t / "missing"),
    "a-file": lambda t: str(_file(t / "file", b"x")),
    "empty-folder": lambda t: str(_dir(t / "empty")),
    "votes-is-a-folder": lambda t: str(_dir(t / "p1" / "votes.csv").parent),
    "votes-symlink-loop": lambda t: str(_loop(_dir(t / "p2") / "votes.csv").parent),
    "votes-fifo": lambda t: str(_fifo(_dir(t / "p3") / "votes.csv").parent),
    "votes-binary": lambda t: str(_polis(t / "p4", votes="\x00\xff" * 1000)),
    "unicode-digit-header": lambda t: str(_polis(t / "p5", votes="timestamp,comment-id,²,vote\n")),
    "infinite-timestamp": lambda t: str(
        _polis(t / "p6", votes="timestamp,comment-id,voter-id,vote\n1e400,0,0,1\n")
    ),
    "unicode-digit-vote": lambda t: str(
        _polis(t / "p7", votes="timestamp,comment-id,voter-id,vote\n1,0,0,²\n")
    ),
    "huge-ids": lambda t: str(
        _polis(t / "p8", votes=f"timestamp,comment-id,voter-id,vote\n1,{'9' * 30},0,1\n")
    ),
    "nul-in-text": lambda t: str(
        _polis(t / "p9", comments=COMMENTS.replace("Statement 1", "a\0b"))
    ),
}
OUTPUT_FILE_CASES: dict[str, Case] = {
    "existing-directory": lambda t: str(_dir(t / "out")),
    "missing-parent": lambda t: str(t / "no" / "such" / "out"),
    "symlink-loop": lambda t: str(_loop(t / "loop")),
    "fifo": lambda t: str(_fifo(t / "pipe")),
    "parent-is-a-file": lambda t: str(_file(t / "plain", b"x") / "out"),
}
INT_CASES: dict[str, Case] = {
    "unicode-digit": lambda t: "²",
    "arabic-digit": lambda t: "٣",
    "huge": lambda t: "9" * 30,
    "text": lambda t: "abc",
    "negative": lambda t: "-5",
    "decimal": lambda t: "1.5",
}
FLOAT_CASES: dict[str, Case] = {
    "nan": lambda t: "nan",
    "inf": lambda t: "inf",
    "huge": lambda t: "1e400",
    "unicode-digit": lambda t: "²",
    "text": lambda t: "abc",
}
TEXT_CASES: dict[str, Case] = {
    "nul": lambda t: "a\x00b",
    "control": lambda t: "a\x07b",
    "bidi": lambda t: "\u202eab",
    "huge": lambda t: "x" * 100_000,
    "empty": lambda t: "",
}
SETTING_CASES: dict[str, Case] = {
    "not-a-number": lambda t: "max_k=abc",
    "nan": lambda t: "significance_z=nan",
    "unicode-digit": lambda t: "max_k=²",
    "huge": lambda t: "max_k=" + "9" * 30,
    "no-name": lambda t: "=3",
    "no-value": lambda t: "nonsense",
    "unknown": lambda t: "no_such_setting=1",
}


@dataclass(frozen=True)
class Kind:
    valid: Callable[[Workspace], str]
    cases: dict[str, Case]
    may_accept: bool = False  # text the policy cleans may be accepted


def _out(name: str) -> Callable[[Workspace], str]:
    return lambda w: str(w.root / "outputs" / name)


# Parameters by name; ids and numbers are recognised by their Click type below.
KINDS: dict[str, Kind] = {
    "email": Kind(lambda w: w.email, TEXT_CASES),
    "name": Kind(lambda w: "A colleague", TEXT_CASES, may_accept=True),
    "topic": Kind(lambda w: "Imported", TEXT_CASES, may_accept=True),
    "host": Kind(lambda w: "127.0.0.1", TEXT_CASES),
    "export_dir": Kind(lambda w: str(w.polis), POLIS_FOLDER_CASES),
    "responses": Kind(lambda w: str(w.responses), INPUT_FILE_CASES),
    "sides_path": Kind(lambda w: str(w.sides), INPUT_FILE_CASES),
    "instrument_names": Kind(lambda w: "thermometer", TEXT_CASES),
    "side_names": Kind(lambda w: "a=Side A", TEXT_CASES),
    "min_cell": Kind(lambda w: "5", INT_CASES),
    "out": Kind(_out("export.zip"), OUTPUT_FILE_CASES),
    "out_path": Kind(_out("brief.html"), OUTPUT_FILE_CASES),
    "json_path": Kind(_out("result.json"), OUTPUT_FILE_CASES),
    "brief_path": Kind(_out("brief.html"), OUTPUT_FILE_CASES),
    "plots_dir": Kind(_out("plots"), OUTPUT_FILE_CASES),
    "settings": Kind(lambda w: "max_k=3", SETTING_CASES),
}
# Options a command needs although Click cannot say so (it checks them itself).
NEEDED = {"tracktwo brief": {"initiative_id"}}


def _kind(parameter: click.Parameter) -> Kind | None:
    if parameter.name in KINDS:
        return KINDS[parameter.name]
    if isinstance(parameter.type, click.types.IntParamType):
        return Kind(lambda w: "1", INT_CASES)
    if isinstance(parameter.type, click.types.FloatParamType):
        return Kind(lambda w: "1.0", FLOAT_CASES)
    return None


def _attacked(command: click.Command) -> list[click.Parameter]:
    return [
        p for p in command.params if not (isinstance(p, click.Option) and (p.is_flag or p.count))
    ]


def _cases() -> list[tuple[str, str, str]]:
    found = []
    for path, command in COMMANDS.items():
        for parameter in _attacked(command):
            kind = _kind(parameter)
            if kind is None:
                continue
            for label in kind.cases:
                if path in SLOW_OR_SERVING and kind.cases is TEXT_CASES and label != "control":
                    continue  # a serving command that accepted the value would keep running
                found.append((path, str(parameter.name), label))
    return found


CASES = _cases()


def test_every_parameter_of_every_command_has_a_kind() -> None:
    unknown = [
        f"{path} {p.name}" for path, c in COMMANDS.items() for p in _attacked(c) if not _kind(p)
    ]
    assert not unknown, "add these parameters to KINDS: " + ", ".join(unknown)
    assert len(CASES) > 150


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from tracktwo.config import Settings
    from tracktwo.demo import seed_demo
    from tracktwo.platform import Platform
    from tracktwo.store.migrate import upgrade

    root = tmp_path_factory.mktemp("cli-bad-input")
    (root / "outputs").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRACKTWO_DATA_DIR", str(root / "data"))
        patch.delenv("TRACKTWO_DATABASE_URL", raising=False)
        platform = Platform(Settings())
        upgrade(platform.database)
        with platform.database.transaction() as db:
            access = seed_demo(db)
        platform.close()
        responses = root / "answers.csv"
        responses.write_text(
            "respondent,side,wave,group,item,value,submitted_at\n"
            + "".join(
                f"r{i},{'ab'[i % 2]},{wave},treatment,thermometer.warmth,{40 + i + k * 5},\n"
                for i in range(12)
                for k, wave in enumerate(("pre", "post"))
            )
        )
        sides = root / "sides.csv"
        sides.write_text("participant,side\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(7)))
        yield Workspace(root, access.facilitator_email, _polis(root / "polis"), responses, sides)


def _arguments(path: str, command: click.Command, workspace: Workspace,
               attacked: str, value: str) -> list[str]:  # fmt: skip
    words = path.split()[1:]
    for parameter in command.params:
        given: str | None = None
        if parameter.name == attacked:
            given = value
        elif isinstance(parameter, click.Argument) or (
            isinstance(parameter, click.Option)
            and (parameter.required or parameter.name in NEEDED.get(path, ()))
        ):
            kind = _kind(parameter)
            assert kind is not None
            given = kind.valid(workspace)
        if given is None:
            continue
        if isinstance(parameter, click.Option):
            words += [parameter.opts[0], given]
        else:
            words.append(given)
    return words


def _one_line_refusal(exit_code: int, stdout: str, stderr: str) -> str | None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    if exit_code != 2:
        return f"exit code {exit_code}: {stderr[-300:]!r}"
    if len(lines) != 1 or "Traceback" in stderr:
        return f"{len(lines)} lines on stderr: {stderr[:300]!r}"
    if not lines[0].startswith("tracktwo: "):
        return f"the line does not say who speaks: {lines[0][:120]!r}"
    return None


@pytest.mark.parametrize(("path", "parameter", "label"), CASES)
def test_bad_input_is_exit_code_2_and_one_line(
    workspace: Workspace, tmp_path: Path, path: str, parameter: str, label: str
) -> None:
    command = COMMANDS[path]
    kind = next(_kind(p) for p in command.params if p.name == parameter)
    assert kind is not None
    value = kind.cases[label](tmp_path)
    words = _arguments(path, command, workspace, parameter, value)
    env = {
        **os.environ,
        "TRACKTWO_DATA_DIR": str(workspace.root / "data"),
        "OPENBLAS_NUM_THREADS": "1",
    }
    env.pop("TRACKTWO_DATABASE_URL", None)
    if "fifo" in label or "\x00" in value:
        # A FIFO must not hang the command: a real process, with a time limit. NUL cannot
        # travel in a real command line, so it is given in-process below instead.
        if "\x00" not in value:
            try:
                run = subprocess.run(
                    [sys.executable, "-m", "tracktwo", *words],
                    capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
                    check=False,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                pytest.fail(f"{path} {parameter}={label} hung")
            problem = _one_line_refusal(run.returncode, run.stdout, run.stderr)
            assert problem is None, f"{' '.join(words)[:200]}: {problem}"
            return
    result = CliRunner().invoke(main, words, env=env,
                                input="a long password\n")  # fmt: skip
    if kind.may_accept and result.exit_code == 0:
        return
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail(f"{' '.join(words)[:200]}: escaped as {type(result.exception).__name__}")
    problem = _one_line_refusal(result.exit_code, result.stdout, result.stderr)
    assert problem is None, f"{' '.join(words)[:200]}: {problem}"
