"""The `tracktwo` command. Every command calls the same actions as the web app."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracktwo import __version__
from tracktwo.config import Settings
from tracktwo.errors import TracktwoError
from tracktwo.platform import Platform
from tracktwo.store.db import DatabaseUnavailable

__all__ = ["fail", "main"]

MAX_ID = 2**31 - 1  # ids are database integers


def fail(message: str) -> NoReturn:
    """Stop the command with one line on stderr and exit code 2 (bad input, not a bug)."""
    click.echo(f"tracktwo: {message}", err=True)
    raise SystemExit(2)


def _platform() -> Platform:
    try:
        return Platform(Settings())
    except DatabaseUnavailable as exc:
        fail(str(exc))
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "TRACKTWO_" + "_".join(str(part) for part in error["loc"]).upper()
        reason = str(error["msg"]).removeprefix("Value error, ")
        fail(f"the setting {name} is not valid: {reason}.")


@contextmanager
def _transaction(platform: Platform) -> Iterator[Session]:
    """A committed unit of work; our errors become one line and exit code 2."""
    try:
        platform.database.check_connection()
        with platform.database.transaction() as db:
            yield db
    except (TracktwoError, DatabaseUnavailable) as exc:
        fail(str(exc))


def _ready(platform: Platform) -> None:
    try:
        platform.check_ready()
    except DatabaseUnavailable as exc:
        fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracktwo")
def main() -> None:
    """tracktwo: dialogues, workshops, evaluation and briefs for Track Two diplomacy.

    \b
    First steps:
      tracktwo demo                      a running platform with a fictional initiative
      tracktwo db upgrade                create or upgrade the database
      tracktwo user create EMAIL         a facilitator account (asks for the password)
      tracktwo serve                     serve the platform on http://127.0.0.1:8000

    Settings come from TRACKTWO_* environment variables; see the README.
    """


# --- database ---------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create, upgrade and inspect the database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the tables, or upgrade them to this version of tracktwo."""
    from tracktwo.store.migrate import upgrade

    platform = _platform()
    try:
        platform.database.check_connection()
        upgrade(platform.database)
    except DatabaseUnavailable as exc:
        fail(str(exc))
    click.echo(f"The database at {platform.database.describe()} is up to date.")


# --- accounts ---------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Facilitator accounts."""


@user.command("create")
@click.argument("email")
@click.option("--name", default="", help="The name colleagues see (default: from the email).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of asking for it.",
)
def user_create(email: str, name: str, password_stdin: bool) -> None:
    """Create a facilitator account that can sign in with EMAIL."""
    from tracktwo.actions.accounts import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    platform = _platform()
    _ready(platform)
    with _transaction(platform) as session:
        created = create_user(session, email=email, password=password, display_name=name)
        label = f"{created.display_name} <{created.email}>"
    click.echo(f"Created the account {label}.")


@main.group()
def token() -> None:
    """API tokens for the JSON API."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="command line", help="A label to recognise the token by.")
def token_create(email: str, name: str) -> None:
    """Create an API token for the account EMAIL and print it (shown only once)."""
    from tracktwo.actions.accounts import create_api_token, normalise_email
    from tracktwo.store.models import User

    platform = _platform()
    _ready(platform)
    with _transaction(platform) as session:
        account = session.scalar(select(User).where(User.email == normalise_email(email)))
        if account is None:
            fail(f"There is no account with the email {email.strip().lower()}.")
        issued = create_api_token(session, account, name)
    click.echo(issued.secret)


# --- dialogues --------------------------------------------------------------------------


@main.group()
def dialogue() -> None:
    """Dialogues: move conversations in and out in Polis's export format."""


@dialogue.command("import")
@click.argument("initiative_id", type=click.IntRange(1, MAX_ID))
@click.argument("export_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--topic", default="", help="Title of the new dialogue (default: the export's).")
def dialogue_import(initiative_id: int, export_dir: Path, topic: str) -> None:
    """Import a Polis export folder as a new (closed) dialogue of INITIATIVE_ID."""
    from tracktwo.actions.analysis import run_analysis
    from tracktwo.actions.polis import import_polis_export

    platform = _platform()
    _ready(platform)
    with _transaction(platform) as session:
        created = import_polis_export(session, None, initiative_id, export_dir, topic=topic)
        dialogue_id, title = created.id, created.topic
    run_analysis(platform, dialogue_id)
    click.echo(f"Imported {export_dir} as dialogue {dialogue_id} ({title}).")


@dialogue.command("export")
@click.argument("dialogue_id", type=click.IntRange(1, MAX_ID))
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
def dialogue_export(dialogue_id: int, out: Path) -> None:
    """Write DIALOGUE_ID as a .zip in Polis's export format (voters by number only)."""
    from tracktwo.actions.polis import export_polis_zip

    platform = _platform()
    _ready(platform)
    with _transaction(platform) as session:
        data = export_polis_zip(session, None, dialogue_id)
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}.")
    click.echo(f"Wrote {out}.")


# --- serving ----------------------------------------------------------------------------


def _address(platform: Platform, host: str, port: int) -> None:
    """Without TRACKTWO_BASE_URL, links point at the address we actually listen on."""
    if "base_url" not in platform.settings.model_fields_set:
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        platform.settings.base_url = f"http://{local}:{port}"


def _serve(platform: Platform, host: str, port: int) -> None:
    import uvicorn

    from tracktwo.web import create_app

    uvicorn.run(create_app(platform), host=host, port=port, log_level="info", proxy_headers=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the platform (pages, JSON API and background analysis)."""
    platform = _platform()
    _ready(platform)
    _address(platform, host, port)
    _serve(platform, host, port)


@main.command()
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then stop.")
def worker(once: bool) -> None:
    """Run background jobs (analyses) from the shared queue.

    On PostgreSQL run one or more of these next to `tracktwo serve`; on SQLite the server
    runs its own worker thread and this is not needed.
    """
    import logging
    import signal

    from tracktwo.worker import Worker

    platform = _platform()
    _ready(platform)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = Worker(platform)
    if once:
        runner.drain()
        return
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    click.echo(f"tracktwo worker {runner.name} is waiting for jobs; stop it with Ctrl+C.")
    try:
        runner.run()
    except KeyboardInterrupt:
        runner.stop()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Only set up the demo; do not start the server.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Set up the fictional demo initiative and serve it.

    Creates or upgrades the database, adds (or refreshes) the demo initiative on the
    invented island of Kelmar, prints how to sign in, and serves the platform.
    """
    from tracktwo.demo import seed_demo
    from tracktwo.store.migrate import upgrade

    platform = _platform()
    _address(platform, host, port)
    try:
        platform.database.check_connection()
        upgrade(platform.database)
    except DatabaseUnavailable as exc:
        fail(str(exc))
    with _transaction(platform) as session:
        access = seed_demo(session)
    from tracktwo.actions.analysis import run_analysis

    run_analysis(platform, access.dialogue_id)  # so the results are there on the first visit
    base = platform.settings.base_url
    click.echo(
        "\n".join(
            [
                "",
                "tracktwo demo: the fictional initiative 'Sharing the waters of Kelmar' is ready.",
                "",
                f"  Open            {base}/login",
                f"  Facilitator     {access.facilitator_email}",
                f"  Password        {access.facilitator_password}",
                f"  Observer        {access.observer_email} / {access.observer_password}",
                f"  Dashboard       {base}/initiatives/{access.initiative_id}",
                f"  Results         {base}/dialogues/{access.dialogue_id}/results",
                *[f"  Workshop        {base}/workshops/{w}" for w in access.workshop_ids],
                *[f"  Survey results  {base}/surveys/{s}/results" for s in access.survey_ids],
                "",
                "  Join the demo dialogue as a participant (no account needed):",
                *[f"    {name:<15} {base}{path}" for name, path in access.join_links.items()],
                "",
                "Passwords are new on every run. Stop the server with Ctrl+C.",
                "",
            ]
        )
    )
    if not no_serve:
        _serve(platform, host, port)


# --- evaluation -------------------------------------------------------------------------


@main.command()
@click.argument("responses", metavar="RESPONSES.csv")
@click.option(
    "--json", "json_path", required=True, metavar="OUT.json", help="Where to write the report."
)
@click.option(
    "--min-cell",
    default="5",
    show_default=True,
    metavar="N",
    help="Hide figures about fewer than N respondents (at least 3).",
)
@click.option(
    "--instrument",
    "instrument_names",
    multiple=True,
    metavar="ID|FILE.json",
    help="An instrument the file uses: a shipped id or a JSON definition (repeatable; "
    "default: the shipped instruments the file names).",
)
@click.option(
    "--side",
    "side_names",
    multiple=True,
    metavar="ID[=NAME]",
    help="A side of the initiative, in order (repeatable; default: the sides in the file).",
)
@click.option(
    "--plots",
    "plots_dir",
    metavar="DIR",
    help="Also write SVG figures (change per side, distributions) into this folder.",
)
def evaluate(
    responses: str,
    json_path: str,
    min_cell: str,
    instrument_names: tuple[str, ...],
    side_names: tuple[str, ...],
    plots_dir: str | None,
) -> None:
    """Analyse survey answers in RESPONSES.csv (format in docs/evaluation.md).

    Writes per scale, per side and overall: change from pre to post with 95% intervals,
    paired t and Wilcoxon tests, Hedges' g_av, Cronbach's alpha, difference-in-differences
    with a comparison group and a mixed model with three or more waves. Figures about fewer
    than --min-cell respondents are suppressed.
    """
    import json
    from pathlib import Path

    from tracktwo.errors import InvalidInput
    from tracktwo.survey import (
        Side,
        analyse,
        builtin_instrument,
        change_plot_svg,
        distribution_plot_svg,
        read_instrument_file,
        read_responses_csv,
    )

    output = Path(json_path)
    if not output.parent.is_dir():
        fail(f"cannot write {output}: the folder {output.parent} does not exist.")
    if not Path(responses).is_file():
        fail(f"the responses file {responses} does not exist.")
    try:
        cell = int(min_cell)
    except ValueError:
        fail(f"--min-cell must be a whole number, not {min_cell!r}.")
    try:
        instruments = [
            read_instrument_file(name)
            if name.endswith(".json") or Path(name).is_file()
            else builtin_instrument(name)
            for name in instrument_names
        ]
        sides = [
            Side(name.partition("=")[0], name.partition("=")[2] or name.partition("=")[0])
            for name in side_names
        ]
        imported = read_responses_csv(
            responses, instruments=instruments or None, sides=sides or None
        )
        report = analyse(imported.responses, imported.survey, min_cell=cell)
    except InvalidInput as error:
        fail(str(error))
    try:
        output.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}.")
    click.echo(imported.summary())
    if plots_dir:
        folder = Path(plots_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for scale in report["scales"]:
                name = scale.replace("@side:", "-")
                (folder / f"{name}-change.svg").write_text(
                    change_plot_svg(report, scale), encoding="utf-8"
                )
                (folder / f"{name}-distribution.svg").write_text(
                    distribution_plot_svg(report, scale), encoding="utf-8"
                )
        except OSError as error:
            fail(f"cannot write the figures into {folder}: {error.strerror}.")
    for scale, entry in report["scales"].items():
        parts = []
        for side, block in [*entry["sides"].items(), ("overall", entry["overall"])]:
            if block is None or block["diff"] is None:
                continue
            parts.append(f"{side} {block['diff']:+.2f} (n = {block['n']})")
        click.echo(f"{scale}: change pre -> post: {'; '.join(parts) or 'nothing to show'}")
    click.echo(f"Wrote {output}.")


# --- the Track One brief --------------------------------------------------------------


def _check_brief_path(path: Path) -> None:
    """Refuse a brief path we could not write before any work is done."""
    from tracktwo.brief.render import brief_destination, brief_format

    try:
        brief_format(path)
        brief_destination(path)
    except TracktwoError as error:
        fail(str(error))


@main.command()
@click.option("--initiative", "initiative_id", type=int, metavar="ID", help="The initiative.")
@click.option(
    "--dialogue",
    "dialogue_id",
    type=int,
    metavar="ID",
    help="Only this dialogue of the initiative (default: all its dialogues).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(path_type=Path),
    metavar="BRIEF.pdf|BRIEF.html",
    help="Where to write the brief; the extension chooses PDF or HTML.",
)
def brief(initiative_id: int | None, dialogue_id: int | None, out_path: Path) -> None:
    """Write the Track One brief of an initiative (or of one of its dialogues).

    The brief says where the sides agree and where they divide, with no attribution: no
    participant identifier, no author, and no figure about fewer than TRACKTWO_MIN_CELL_SIZE
    people (docs/brief.md).
    """
    from tracktwo.actions.access import SYSTEM
    from tracktwo.actions.brief import brief_scope
    from tracktwo.brief.render import write_brief

    if initiative_id is None and dialogue_id is None:
        fail("say which initiative the brief is about: --initiative ID.")
    for what, value in (("initiative", initiative_id), ("dialogue", dialogue_id)):
        if value is not None and not 1 <= value <= MAX_ID:  # no such row could exist
            fail(f"There is no {what} with id {value}.")
    _check_brief_path(out_path)
    platform = _platform()
    _ready(platform)
    with _transaction(platform) as session:
        scope = brief_scope(
            session,
            SYSTEM,
            initiative_id=initiative_id,
            dialogue_id=dialogue_id,
            min_cell=platform.settings.min_cell_size,
        )
        write_brief(scope, out_path)
    click.echo(f"Wrote the brief of “{scope.title}” to {out_path}.")


# --- analysis -----------------------------------------------------------------------


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

    from tracktwo.errors import InvalidInput
    from tracktwo.opinion import analyze as run_analysis
    from tracktwo.opinion import read_polis_export
    from tracktwo.opinion import replay as run_replay

    if brief_path is not None:
        _check_brief_path(brief_path)
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
        from tracktwo.brief.export import export_scope
        from tracktwo.brief.render import write_brief

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
