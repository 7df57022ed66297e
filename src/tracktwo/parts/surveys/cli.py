"""The surveys part's command: `tracktwo evaluate RESPONSES.csv` (no database needed)."""

from __future__ import annotations

import click

from tracktwo.common.commands import fail

__all__ = ["COMMANDS"]


@click.command()
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

    from tracktwo.kernel.errors import InvalidInput
    from tracktwo.kernel.files import readable_file, writable_file
    from tracktwo.kernel.parsing import parse_int
    from tracktwo.parts.surveys.evaluation import (
        Side,
        analyse,
        builtin_instrument,
        change_plot_svg,
        distribution_plot_svg,
        read_instrument_file,
        read_responses_csv,
    )

    output = Path(json_path)
    try:
        writable_file(output)
        readable_file(Path(responses))
        cell = parse_int(min_cell, "--min-cell", minimum=3, maximum=None)
        if plots_dir:
            folder = Path(plots_dir)
            if folder.exists() and not folder.is_dir():
                raise InvalidInput(f"{folder} is not a folder, so the figures cannot go there.")
    except InvalidInput as error:
        fail(str(error))
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


COMMANDS = (evaluate,)
