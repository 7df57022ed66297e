"""The `tracktwo` command. Every command calls the same functions as the web app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracktwo import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracktwo")
def main() -> None:
    """tracktwo: dialogues, workshops, evaluation and briefs for Track Two diplomacy.

    Start with `tracktwo demo` to see a running platform with a fictional initiative.
    """


def fail(message: str) -> None:
    """Stop the command with one line on stderr and exit code 2 (bad input, not a bug)."""
    click.echo(f"tracktwo: {message}", err=True)
    raise SystemExit(2)


LARGE_INPUT_VOTES = 200_000


def _setting_value(text: str) -> object:
    """Parse a --setting value: JSON when it parses (numbers, true, null), else the text."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


@main.command()
@click.argument("export_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Write the analysis as JSON to this file ('-' for standard output).",
)
@click.option(
    "--sides",
    "sides_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV file with columns participant,side giving each participant's declared side.",
)
@click.option(
    "--replay/--no-replay",
    default=False,
    help="Replay votes.csv in time order, one Polis update per second of votes, so the groups "
    "follow Polis's own path (slower).",
)
@click.option(
    "--replay-interval",
    type=click.FloatRange(min=0.001),
    default=1.0,
    show_default=True,
    help="With --replay: seconds of votes per update (Polis polls every second).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the analysis.")
@click.option(
    "-s",
    "--setting",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Any analysis setting, e.g. -s max_k=4 -s cross_side_threshold=0.84.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: only for large inputs).",
)
def analyze(
    export_dir: Path,
    json_path: Path | None,
    sides_path: Path | None,
    replay: bool,
    replay_interval: float,
    seed: int,
    settings: tuple[str, ...],
    progress: bool | None,
) -> None:
    """Analyse a Polis export folder: opinion map, groups and common ground.

    EXPORT_DIR holds votes.csv and, when available, comments.csv, participants-votes.csv and
    summary.csv. The JSON document is described in docs/opinion.md.
    """
    import pandas as pd
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tracktwo.errors import InvalidInput
    from tracktwo.opinion import analyze as run_analysis
    from tracktwo.opinion import read_polis_export
    from tracktwo.opinion import replay as run_replay

    options: dict[str, Any] = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--setting expects NAME=VALUE, got {item!r}.")
        options[name.strip()] = _setting_value(value.strip())
    try:
        export = read_polis_export(export_dir)
        sides = None
        if sides_path is not None:
            try:
                table = pd.read_csv(sides_path)
            except (OSError, ValueError) as error:
                raise InvalidInput(f"{sides_path} is not a readable CSV file ({error}).") from error
            if not {"participant", "side"} <= set(table.columns):
                raise InvalidInput(f"{sides_path} needs the columns participant and side.")
            sides = pd.Series(table["side"].to_numpy(), index=table["participant"].to_numpy())
        show = progress if progress is not None else len(export.votes) >= LARGE_INPUT_VOTES
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not show,
        ) as bar:
            task = bar.add_task("analysing", total=1.0)

            def report(fraction: float, message: str) -> None:
                bar.update(task, completed=fraction, description=message)

            if replay:
                result = run_replay(
                    export.votes,
                    sides,
                    statements=export.statements,
                    interval_ms=replay_interval * 1000,
                    seed=seed,
                    progress=report,
                    **options,
                )
            else:
                result = run_analysis(
                    export.votes,
                    sides,
                    statements=export.statements,
                    seed=seed,
                    progress=report,
                    **options,
                )
    except InvalidInput as error:
        fail(str(error))
        return
    if json_path is None:
        summary = result.summary
        click.echo(
            f"{summary['n_participants']} participants, {summary['n_statements']} statements, "
            f"{summary['n_votes']} votes; {summary['n_clustered']} clustered into "
            f"{len(result.groups)} groups."
        )
        return
    text = result.to_json(indent=None)
    if str(json_path) == "-":
        click.echo(text)
    else:
        try:
            json_path.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            fail(f"Cannot write {json_path}: {error.strerror}.")
