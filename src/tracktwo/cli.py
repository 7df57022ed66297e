"""The `tracktwo` command. Every command calls the same functions as the web app."""

from __future__ import annotations

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
