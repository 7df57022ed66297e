"""The `tracktwo` command. Every command calls the same actions as the web app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracktwo import __version__
from tracktwo.common.commands import (
    MAX_ID,
    TracktwoGroup,
    check_brief_path,
    fail,
    open_platform,
    ready,
    unit_of_work,
)

if TYPE_CHECKING:
    from tracktwo.store.platform import Platform

__all__ = ["main"]


@click.group(cls=TracktwoGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from tracktwo.store.db import DatabaseUnavailable
    from tracktwo.store.migrate import upgrade

    platform = open_platform()
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
    from tracktwo.common.accounts.actions import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    platform = open_platform()
    ready(platform)
    with unit_of_work(platform) as session:
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
    from sqlalchemy import select

    from tracktwo.common.accounts.actions import create_api_token, normalise_email
    from tracktwo.common.accounts.models import User

    platform = open_platform()
    ready(platform)
    with unit_of_work(platform) as session:
        address = normalise_email(email)
        account = session.scalar(select(User).where(User.email == address))
        if account is None:
            fail(f"There is no account with the email {address}.")
        issued = create_api_token(session, account, name)
    click.echo(issued.secret)


@user.command("sign-in-link")
@click.argument("email")
@click.option(
    "--hours", default=1, show_default=True, type=click.IntRange(1, 72), help="How long it works."
)
def user_sign_in_link(email: str, hours: int) -> None:
    """Print a one-time link that signs EMAIL in without the password.

    The way back in for someone whose sign-in is slowed down by others guessing at their
    password: pass the link on by a channel you trust. It works once; a newer link replaces it.
    """
    from tracktwo.common.accounts.actions import create_sign_in_link

    platform = open_platform()
    ready(platform)
    with unit_of_work(platform) as session:
        issued = create_sign_in_link(session, email, hours=hours)
    click.echo(f"{platform.settings.base_url}/sign-in/{issued.secret}")


# --- serving ----------------------------------------------------------------------------


def _address(platform: Platform, host: str, port: int) -> None:
    """Without TRACKTWO_BASE_URL, links point at the address we actually listen on."""
    if "base_url" not in platform.settings.model_fields_set:
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        platform.settings.base_url = f"http://{local}:{port}"


def _serve(platform: Platform, host: str, port: int) -> None:
    import uvicorn

    from tracktwo.web.app import create_app

    # Forwarded headers are read by the app itself, and only from TRACKTWO_TRUSTED_PROXIES
    # (tracktwo.web.client_address); uvicorn would trust them from 127.0.0.1.
    uvicorn.run(
        create_app(platform),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the platform (pages, JSON API and background analysis)."""
    platform = open_platform()
    ready(platform)
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

    from tracktwo.parts import job_handlers
    from tracktwo.store.worker import Worker

    platform = open_platform()
    ready(platform)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runner = Worker(platform, job_handlers())
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
    from tracktwo.store.db import DatabaseUnavailable
    from tracktwo.store.migrate import upgrade

    platform = open_platform()
    _address(platform, host, port)
    try:
        platform.database.check_connection()
        upgrade(platform.database)
    except DatabaseUnavailable as exc:
        fail(str(exc))
    with unit_of_work(platform) as session:
        access = seed_demo(session)
    from tracktwo.parts import job_handlers
    from tracktwo.store.worker import Worker

    Worker(platform, job_handlers()).drain()  # so the results are there on the first visit
    base = platform.settings.base_url
    pages = [
        f"  {label:<15} {base}{path}"
        for demo in access.parts.values()
        for label, path in demo.entries
    ]
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
                *pages,
                "",
                "  Participants need no account: a join link above opens the dialogue.",
                "",
                "Passwords are new on every run. Stop the server with Ctrl+C.",
                "",
            ]
        )
    )
    if not no_serve:
        _serve(platform, host, port)


# --- the Track One brief --------------------------------------------------------------


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
    from tracktwo.common.brief.actions import brief_scope
    from tracktwo.common.brief.render import write_brief
    from tracktwo.common.initiatives.access import SYSTEM

    if initiative_id is None and dialogue_id is None:
        fail("say which initiative the brief is about: --initiative ID.")
    for what, value in (("initiative", initiative_id), ("dialogue", dialogue_id)):
        if value is not None and not 1 <= value <= MAX_ID:  # no such row could exist
            fail(f"There is no {what} with id {value}.")
    check_brief_path(out_path)
    platform = open_platform()
    ready(platform)
    with unit_of_work(platform) as session:
        scope = brief_scope(
            session,
            SYSTEM,
            initiative_id=initiative_id,
            dialogue_id=dialogue_id,
            min_cell=platform.settings.min_cell_size,
        )
        write_brief(scope, out_path)
    click.echo(f"Wrote the brief of “{scope.title}” to {out_path}.")


def _add_part_commands() -> None:
    """Each part's commands (its manifest's ``cli``), in the order of the parts."""
    from tracktwo.parts import registered_parts

    for part in registered_parts():
        if part.cli is not None:
            for command in part.load(part.cli):
                main.add_command(command)


_add_part_commands()
