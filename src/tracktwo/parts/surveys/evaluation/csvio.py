"""Responses collected elsewhere: the CSV format, its reader and its writer.

The reader checks the *whole* file before returning anything, and raises one InvalidInput
sentence naming the line and column of the first problem, so a file is imported completely
or not at all. Two layouts are accepted (docs/evaluation.md has the full description):

* **long**: one answer per row, columns ``respondent, side, wave, group, item, value,
  submitted_at`` (``side``, ``group`` and ``submitted_at`` optional);
* **wide**: one answer set per row, columns ``respondent, side, wave, group, submitted_at``
  plus one column per question key (``thermometer.warmth@side:B``); an empty cell means
  "not answered".

When the same respondent answers the same question in the same wave twice, the answer with
the later ``submitted_at`` wins (the later row when the times are equal or missing); the
reader lists every replacement in its report. The writer emits the long layout with
pseudonymous respondent ids only: it writes exactly the fields of a ResponseSet, which
carries no names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.files import readable_file
from tracktwo.kernel.parsing import parse_float, parse_moment
from tracktwo.kernel.safe_csv import restore_cell, safe_writer
from tracktwo.kernel.text import clean_text, excerpt
from tracktwo.parts.surveys.evaluation.analysis import validate_responses
from tracktwo.parts.surveys.evaluation.library import (
    Instrument,
    builtin_instrument,
    builtin_instrument_ids,
)
from tracktwo.parts.surveys.evaluation.responses import (
    GROUPS,
    ResponseSet,
    Survey,
    check_wave,
    wave_order,
)
from tracktwo.parts.surveys.evaluation.templating import Side, parse_item_key

__all__ = [
    "LONG_COLUMNS",
    "WIDE_FIXED_COLUMNS",
    "CsvImport",
    "Replacement",
    "format_responses_csv",
    "parse_responses_csv",
    "read_responses_csv",
    "write_responses_csv",
]

LONG_COLUMNS = ("respondent", "side", "wave", "group", "item", "value", "submitted_at")
WIDE_FIXED_COLUMNS = ("respondent", "side", "wave", "group", "submitted_at")
_REQUIRED_LONG = ("respondent", "wave", "item", "value")
_REQUIRED_WIDE = ("respondent", "wave")


@dataclass(frozen=True)
class Replacement:
    """An answer given twice: the one on ``kept_line`` replaced the one on ``dropped_line``."""

    respondent: str
    wave: str
    item: str
    kept_line: int
    dropped_line: int


@dataclass(frozen=True)
class CsvImport:
    """What the reader found: the survey the file implies, its answer sets, and a report."""

    survey: Survey
    responses: tuple[ResponseSet, ...]
    layout: str
    rows: int
    replacements: tuple[Replacement, ...]

    def summary(self) -> str:
        """One paragraph saying what was read and what was replaced."""
        respondents = len({response.respondent for response in self.responses})
        waves = sorted({response.wave for response in self.responses}, key=wave_order)
        text = (
            f"Read {self.rows} rows ({self.layout} layout): {len(self.responses)} answer sets "
            f"from {respondents} respondents in waves {', '.join(waves)}."
        )
        if self.replacements:
            first = self.replacements[0]
            count = len(self.replacements)
            text += (
                f" {count} {'answer' if count == 1 else 'answers'} given twice replaced by the "
                "later one "
                f"(first: respondent {first.respondent}, wave {first.wave}, {first.item}, "
                f"line {first.kept_line} replaced line {first.dropped_line})."
            )
        return text


@dataclass(frozen=True)
class _Answer:
    line: int
    respondent: str
    side: str | None
    wave: str
    group: str
    item: str
    value: float
    submitted_at: datetime | None
    item_column: str
    value_column: str


def _fail(line: int, column: str, message: str) -> InvalidInput:
    return InvalidInput(f"Line {line}, column {column}: {message}")


def _parse_time(text: str, line: int) -> datetime | None:
    if not text:
        return None
    try:
        # a time without a zone is read as UTC, so that all times can be compared
        return parse_moment(text, "submission time")
    except InvalidInput as error:
        if "must lie between" in error.message:  # a real moment, but out of range
            message = error.message[:1].lower() + error.message[1:]
            raise _fail(line, "submitted_at", message) from None
        raise _fail(
            line,
            "submitted_at",
            f"{excerpt(text)!r} is not an ISO 8601 date and time (e.g. 2025-03-01T14:30:00Z).",
        ) from None


def _text(line: int, column: str, value: str, limit: int = 200) -> str:
    try:
        return clean_text(value, column, limit, required=False)
    except InvalidInput as error:
        raise _fail(line, column, error.message[:1].lower() + error.message[1:]) from None


def _check_header(header: list[str]) -> str:
    names = [name.strip() for name in header]
    if len(names) == 1 and ";" in names[0]:
        raise InvalidInput(
            "Line 1: the header is separated by semicolons; save the file with commas between "
            "columns."
        )
    for position, name in enumerate(names, start=1):
        if names.count(name) > 1:
            raise InvalidInput(f"Line 1, column {position}: the column {name!r} appears twice.")
    layout = "long" if "item" in names or "value" in names else "wide"
    for position, name in enumerate(names, start=1):
        if layout == "long" and name not in LONG_COLUMNS:
            raise InvalidInput(
                f"Line 1, column {position}: unknown column {name!r}; the long layout has the "
                f"columns {', '.join(LONG_COLUMNS)}."
            )
        if layout == "wide" and name not in WIDE_FIXED_COLUMNS:
            try:
                parse_item_key(name)
            except InvalidInput:
                raise InvalidInput(
                    f"Line 1, column {position}: unknown column {name!r}; the wide layout has "
                    f"the columns {', '.join(WIDE_FIXED_COLUMNS)} and one column per question "
                    "key such as thermometer.warmth@side:B."
                ) from None
    required = _REQUIRED_LONG if layout == "long" else _REQUIRED_WIDE
    missing = [name for name in required if name not in names]
    if missing:
        raise InvalidInput(f"Line 1: the required column {missing[0]!r} is missing.")
    if layout == "wide" and all(name in WIDE_FIXED_COLUMNS for name in names):
        raise InvalidInput(
            "Line 1: the file has no item and value columns and no question columns."
        )
    return layout


def _records(source: str | Iterable[str]) -> tuple[str, list[_Answer], int]:
    """Every answer in the file with its line number, checked field by field."""
    lines = io.StringIO(source) if isinstance(source, str) else source
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("The CSV file is empty; it needs a header line.") from None
    except csv.Error as error:
        raise InvalidInput(f"Line 1: the CSV header is malformed ({error}).") from None
    layout = _check_header(header)
    names = [name.strip() for name in header]
    answers: list[_Answer] = []
    rows = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise InvalidInput(f"Line {reader.line_num}: the CSV is malformed ({error}).") from None
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        rows += 1
        if len(fields) != len(names):
            raise InvalidInput(
                f"Line {line}: the row has {len(fields)} fields but the header has {len(names)}."
            )
        # restore_cell: a cell our export neutralised for spreadsheets reads back as written
        row = {name: restore_cell(f.strip()) for name, f in zip(names, fields, strict=True)}
        answers.extend(_row_answers(layout, row, line))
    if rows == 0:
        raise InvalidInput("The CSV file has a header but no rows of answers.")
    return layout, answers, rows


def _row_answers(layout: str, row: dict[str, str], line: int) -> list[_Answer]:
    respondent = _text(line, "respondent", row["respondent"])
    if not respondent:
        raise _fail(line, "respondent", "the respondent id is empty.")
    try:
        check_wave(row["wave"])
    except InvalidInput as error:
        raise _fail(line, "wave", str(error)) from None
    group = row.get("group", "") or "treatment"
    if group not in GROUPS:
        raise _fail(
            line, "group", f"{excerpt(group)!r} is not a group; use treatment or comparison."
        )
    side = _text(line, "side", row.get("side", "")) or None
    moment = _parse_time(row.get("submitted_at", ""), line)
    cells = (
        [("item", row["item"], "value", row["value"])]
        if layout == "long"
        else [
            (name, name, name, value)
            for name, value in row.items()
            if name not in WIDE_FIXED_COLUMNS and value
        ]
    )
    answers = []
    for item_column, key, value_column, raw in cells:
        try:
            parse_item_key(key)
        except InvalidInput as error:
            raise _fail(line, item_column, str(error)) from None
        try:
            value = parse_float(raw, "answer")
        except InvalidInput:
            raise _fail(line, value_column, f"{excerpt(raw)!r} is not a number.") from None
        answers.append(
            _Answer(
                line,
                respondent,
                side,
                row["wave"],
                group,
                key,
                value,
                moment,
                item_column,
                value_column,
            )
        )
    return answers


def _instruments_for(
    answers: Sequence[_Answer], instruments: Sequence[Instrument] | None
) -> tuple[Instrument, ...]:
    if instruments is not None:
        known = {instrument.id: instrument for instrument in instruments}
    else:
        known = {}
        shipped = set(builtin_instrument_ids())
        for answer in answers:
            instrument_id = parse_item_key(answer.item)[0]
            if instrument_id not in known and instrument_id in shipped:
                known[instrument_id] = builtin_instrument(instrument_id)
    for answer in answers:
        instrument_id, item_id, _ = parse_item_key(answer.item)
        instrument = known.get(instrument_id)
        if instrument is None:
            choices = sorted(known) if instruments is not None else builtin_instrument_ids()
            raise _fail(
                answer.line,
                answer.item_column,
                f"{answer.item} belongs to no known instrument ({instrument_id!r}); use one of "
                f"{', '.join(choices)} or give its definition as an instrument file.",
            )
        if item_id not in {item.id for item in instrument.items}:
            raise _fail(
                answer.line,
                answer.item_column,
                f"instrument {instrument_id} has no item {item_id!r} (in {answer.item}).",
            )
    used = {parse_item_key(answer.item)[0] for answer in answers}
    return tuple(instrument for instrument_id, instrument in known.items() if instrument_id in used)


def _sides_for(answers: Sequence[_Answer], sides: Sequence[Side] | None) -> tuple[Side, ...]:
    if sides is not None:
        declared = tuple(sides)
    else:
        found: dict[str, None] = {}
        for answer in answers:
            if answer.side is not None:
                found.setdefault(answer.side)
            target = parse_item_key(answer.item)[2]
            if target is not None:
                found.setdefault(target)
        declared = tuple(Side(side_id, side_id) for side_id in found)
    ids = {side.id for side in declared}
    for answer in answers:
        if answer.side is not None and answer.side not in ids:
            raise _fail(
                answer.line,
                "side",
                f"{answer.side!r} is not one of the sides ({', '.join(sorted(ids))}).",
            )
    return declared


def _latest(
    answers: Sequence[_Answer],
) -> tuple[dict[tuple[str, str, str], _Answer], list[Replacement]]:
    kept: dict[tuple[str, str, str], _Answer] = {}
    replacements: list[Replacement] = []
    for answer in answers:
        key = (answer.respondent, answer.wave, answer.item)
        earlier = kept.get(key)
        if earlier is None:
            kept[key] = answer
            continue
        newer = True
        if earlier.submitted_at is not None and answer.submitted_at is not None:
            newer = answer.submitted_at >= earlier.submitted_at
        winner, loser = (answer, earlier) if newer else (earlier, answer)
        kept[key] = winner
        replacements.append(
            Replacement(answer.respondent, answer.wave, answer.item, winner.line, loser.line)
        )
    return kept, replacements


def parse_responses_csv(
    text: str | Iterable[str],
    *,
    instruments: Sequence[Instrument] | None = None,
    sides: Sequence[Side] | None = None,
) -> CsvImport:
    """Parse and check a whole responses CSV (long or wide layout) given as text.

    Parameters
    ----------
    text
        The file's content, or its lines one by one (read lazily: a large upload is never
        held whole as text).
    instruments
        The survey's instruments; by default the shipped instruments the file's question
        keys name.
    sides
        The initiative's sides; by default every side id in the ``side`` column or in a
        question key, in order of first appearance, named by its id.

    Raises
    ------
    InvalidInput
        One sentence naming the line and column of the first problem; nothing is returned.
    """
    layout, answers, rows = _records(text)
    survey = Survey(_instruments_for(answers, instruments), _sides_for(answers, sides))
    identity: dict[str, tuple[str | None, str, int]] = {}
    questions = {
        side: {question.key: question for question in survey.questions(side)}
        for side in [None, *(side.id for side in survey.sides)]
    }
    for answer in answers:
        side, group, line = identity.setdefault(
            answer.respondent, (answer.side, answer.group, answer.line)
        )
        if (side, group) != (answer.side, answer.group):
            column = "side" if side != answer.side else "group"
            raise _fail(
                answer.line,
                column,
                f"respondent {answer.respondent} has {column} "
                f"{getattr(answer, column) or 'none'} here but "
                f"{(side if column == 'side' else group) or 'none'} on line {line}; a respondent "
                "keeps one side and group in every wave.",
            )
        question = questions[answer.side].get(answer.item)
        if question is None:
            raise _fail(
                answer.line,
                answer.item_column,
                f"{answer.item} is not asked of respondent {answer.respondent} "
                + (
                    f"(a member of side {answer.side} is asked about the other sides)."
                    if answer.side
                    else "(no side: asked about every side, and no own-side item)."
                ),
            )
        problem = question.item.scale.problem_with(answer.value)
        if problem is not None:
            raise _fail(
                answer.line,
                answer.value_column,
                f"the answer {answer.value:g} to {answer.item} {problem}.",
            )
    kept, replacements = _latest(answers)
    grouped: dict[tuple[str, str], list[_Answer]] = {}
    for answer in kept.values():
        grouped.setdefault((answer.respondent, answer.wave), []).append(answer)
    responses = []
    for (respondent, wave), found in grouped.items():
        moments = [answer.submitted_at for answer in found if answer.submitted_at is not None]
        responses.append(
            ResponseSet(
                respondent,
                wave,
                {answer.item: answer.value for answer in found},
                found[0].side,
                found[0].group,
                max(moments) if moments else None,
            )
        )
    checked = validate_responses(responses, survey)
    return CsvImport(survey, tuple(checked), layout, rows, tuple(replacements))


def read_responses_csv(
    path: str | Path,
    *,
    instruments: Sequence[Instrument] | None = None,
    sides: Sequence[Side] | None = None,
) -> CsvImport:
    """Read a responses CSV file (UTF-8, with or without BOM); see :func:`parse_responses_csv`."""
    file = Path(path)
    readable_file(file)  # a FIFO would block, a folder or a link loop would raise
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InvalidInput(f"The file {file} cannot be read ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"The file {file} is not UTF-8 text; save it as UTF-8 CSV.") from None
    return parse_responses_csv(text, instruments=instruments, sides=sides)


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_responses_csv(responses: Iterable[ResponseSet]) -> str:
    """The long-layout CSV of some answer sets, sorted by respondent, wave and question."""
    buffer = io.StringIO()
    writer = safe_writer(buffer)
    writer.writerow(LONG_COLUMNS)
    ordered = sorted(responses, key=lambda r: (r.respondent, wave_order(r.wave)))
    for response in ordered:
        moment = response.submitted_at.isoformat() if response.submitted_at else ""
        for key in sorted(response.answers):
            writer.writerow(
                (
                    response.respondent,
                    response.side or "",
                    response.wave,
                    response.group,
                    key,
                    _value_text(response.answers[key]),
                    moment,
                )
            )
    return buffer.getvalue()


def write_responses_csv(responses: Iterable[ResponseSet], path: str | Path) -> None:
    """Write answer sets to a long-layout CSV file (a file writer: the only I/O here)."""
    file = Path(path)
    try:
        file.write_text(format_responses_csv(responses), encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"Cannot write {file} ({error.strerror}).") from None
