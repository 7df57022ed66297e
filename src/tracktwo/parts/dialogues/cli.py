"""The dialogues part's commands: `tracktwo dialogue import|export` and `tracktwo analyze`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracktwo.common.commands import (
    MAX_ID,
    check_brief_path,
    fail,
    open_platform,
    ready,
    unit_of_work,
)
from tracktwo.kernel.files import writable_file

__all__ = ["COMMANDS"]


@click.group()
def dialogue() -> None:
    """Dialogues: move conversations in and out in Polis's export format."""


@dialogue.command("import")
@click.argument("initiative_id", type=click.IntRange(1, MAX_ID))
@click.argument("export_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--topic", default="", help="Title of the new dialogue (default: the export's).")
def dialogue_import(initiative_id: int, export_dir: Path, topic: str) -> None:
    """Import a Polis export folder as a new (closed) dialogue of INITIATIVE_ID."""
    from tracktwo.parts.dialogues.actions.analysis import run_analysis
    from tracktwo.parts.dialogues.actions.polis import import_polis_export

    platform = open_platform()
    ready(platform)
    dialogue_id = import_polis_export(
        platform.database, None, initiative_id, export_dir, topic=topic
    )
    run_analysis(platform, dialogue_id)
    click.echo(f"Imported {export_dir} as dialogue {dialogue_id}.")


@dialogue.command("export")
@click.argument("dialogue_id", type=click.IntRange(1, MAX_ID))
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
def dialogue_export(dialogue_id: int, out: Path) -> None:
    """Write DIALOGUE_ID as a .zip in Polis's export format (voters by number only)."""
    from tracktwo.parts.dialogues.actions.polis import export_polis_zip

    platform = open_platform()
    ready(platform)
    writable_file(out)
    with unit_of_work(platform) as session:
        data = export_polis_zip(session, None, dialogue_id)
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}.")
    click.echo(f"Wrote {out}.")


LARGE_INPUT_VOTES = 200_000


def _setting_value(text: str) -> object:
    """Parse a --setting value: JSON when it parses (numbers, true, null), else the text."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


@click.command()
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
@click.option(
    "--brief",
    "brief_path",
    type=click.Path(path_type=Path),
    metavar="BRIEF.html|BRIEF.pdf",
    help="Also write the Track One brief of the conversation (docs/brief.md).",
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=3),
    default=5,
    show_default=True,
    metavar="N",
    help="In the brief, hide figures about fewer than N people (at least 3).",
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
    brief_path: Path | None,
    min_cell: int,
) -> None:
    """Analyse a Polis export folder: opinion map, groups and common ground.

    EXPORT_DIR holds votes.csv and, when available, comments.csv, participants-votes.csv and
    summary.csv. The JSON document is described in docs/opinion.md; the brief in docs/brief.md.
    """
    import pandas as pd
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tracktwo.kernel.errors import InvalidInput
    from tracktwo.parts.dialogues.opinion import analyze as run_analysis
    from tracktwo.parts.dialogues.opinion import read_polis_export
    from tracktwo.parts.dialogues.opinion import replay as run_replay

    if brief_path is not None:
        check_brief_path(brief_path)
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
    if brief_path is not None:
        from tracktwo.common.brief.export import export_scope
        from tracktwo.common.brief.render import write_brief
        from tracktwo.kernel.errors import TracktwoError

        topic = export.summary.get("topic") or export.folder.name
        scope = export_scope(
            result.to_dict(),
            topic=topic,
            min_cell=min_cell,
            vote_times=export.votes["timestamp"].dropna().astype("int64").tolist(),
            source=f"Findings from the Polis conversation in {export.folder.name}",
        )
        try:
            write_brief(scope, brief_path)
        except TracktwoError as error:
            fail(str(error))
        click.echo(f"Wrote the brief {brief_path}.", err=str(json_path) == "-")
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


COMMANDS = (dialogue, analyze)
