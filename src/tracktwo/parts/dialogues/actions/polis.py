"""Polis interoperability for dialogues: import an export folder, export a dialogue.

Imported voters become pseudonymous participants of the initiative with no declared side
(Polis has no sides) and no way to sign in; imported votes keep their original times.
Exports use Polis's format, so `tracktwo analyze` and other Polis tools read them; voters
appear there by a number, never by pseudonym.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor, initiative_for
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.actions import create_links, new_pseudonym
from tracktwo.common.participation.models import Participant, PartMembership
from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.tokens import hash_secret, new_secret
from tracktwo.parts.dialogues.actions.analysis import (
    engine_input,
    latest_snapshot,
    request_analysis,
)
from tracktwo.parts.dialogues.actions.dialogues import dialogue_for
from tracktwo.parts.dialogues.models import (
    Dialogue,
    DialogueState,
    Moderation,
    Statement,
    StatementState,
    Vote,
)
from tracktwo.parts.dialogues.opinion import (
    OpinionState,
    analyze,
    read_polis_export,
    write_polis_export,
)

__all__ = ["export_polis_zip", "import_polis_export", "import_polis_zip"]

_STATES = {1: StatementState.ACCEPTED, 0: StatementState.PENDING, -1: StatementState.REJECTED}
_EXPORT_FILES = ("votes.csv", "comments.csv", "participants-votes.csv", "summary.csv")


def _moment(milliseconds: object) -> datetime:
    try:
        return datetime.fromtimestamp(int(milliseconds) / 1000, UTC)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


def import_polis_export(
    db: Session, actor: Actor, initiative_id: int, folder: str | Path, *, topic: str = ""
) -> Dialogue:
    """A new (closed) dialogue holding a Polis conversation's statements and votes."""
    initiative = initiative_for(db, actor, initiative_id, at_least=Role.FACILITATOR)
    export = read_polis_export(folder)
    title = (topic or export.summary.get("topic") or Path(folder).name).strip()[:200]
    dialogue = Dialogue(
        initiative=initiative,
        topic=title or "Imported Polis conversation",
        prompt=(export.summary.get("conversation-description") or "")[:2000],
        state=DialogueState.CLOSED,
        moderation=Moderation.STRICT,
        imported_from=title[:200] or None,
        max_length=1000,
    )
    db.add(dialogue)
    db.flush()
    create_links(db, "dialogues", dialogue.id, initiative, per_side=False)

    voter_ids = pd.unique(
        pd.concat(
            [
                export.votes["participant"],
                export.comments["author"] if export.comments is not None else pd.Series([]),
            ]
        ).dropna()
    )
    participants: dict[object, int] = {}
    pseudonyms: set[str] = set()
    for voter in voter_ids:
        pseudonym = new_pseudonym()
        while pseudonym in pseudonyms:
            pseudonym = new_pseudonym()
        pseudonyms.add(pseudonym)
        # A random secret nobody holds: imported voters cannot sign in as themselves.
        person = Participant(
            initiative_id=initiative.id,
            pseudonym=pseudonym,
            token_hash=hash_secret(new_secret()),
            language=initiative.languages[0],
        )
        db.add(person)
        db.flush()
        participants[voter] = person.id
        db.add(PartMembership(part="dialogues", target_id=dialogue.id, participant_id=person.id))

    statements: dict[object, int] = {}
    comments = export.comments
    if comments is None:
        raise InvalidInput(
            "The export folder has no comments.csv, so the statements' texts are unknown."
        )
    for row in comments.itertuples(index=False):
        statement = Statement(
            dialogue_id=dialogue.id,
            text=str(row.text),
            language=initiative.languages[0],
            author_id=participants.get(row.author),
            is_seed=bool(row.is_seed),
            is_meta=bool(row.is_meta),
            state=_STATES.get(int(row.moderated), StatementState.PENDING),
            created_at=_moment(row.timestamp),
        )
        db.add(statement)
        db.flush()
        statements[row.statement] = statement.id
    unknown = set(export.votes["statement"]) - set(statements)
    if unknown:
        raise InvalidInput(
            f"votes.csv has votes on statement {sorted(unknown, key=str)[0]}, which comments.csv "
            "does not list."
        )
    rows = [
        {
            "dialogue_id": dialogue.id,
            "statement_id": statements[vote.statement],
            "participant_id": participants[vote.participant],
            "value": int(vote.vote),
            "created_at": _moment(vote.timestamp),
        }
        for vote in export.votes.sort_values("timestamp", kind="stable").itertuples(index=False)
    ]
    for start in range(0, len(rows), 5000):
        db.execute(insert(Vote), rows[start : start + 5000])
    request_analysis(db, dialogue.id, delay_seconds=0)
    return dialogue


def import_polis_zip(
    db: Session, actor: Actor, initiative_id: int, data: bytes, *, topic: str = ""
) -> Dialogue:
    """The same, from an uploaded .zip of the export folder (files at any depth)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidInput("The upload is not a .zip file of a Polis export folder.") from None
    with tempfile.TemporaryDirectory() as folder, archive:
        for info in archive.infolist():
            name = Path(info.filename).name
            if name in _EXPORT_FILES and not info.is_dir():
                if info.file_size > 500_000_000:
                    raise InvalidInput(f"{name} is larger than 500 MB.")
                Path(folder, name).write_bytes(archive.read(info))
        if not Path(folder, "votes.csv").exists():
            raise InvalidInput("The .zip holds no votes.csv; upload the whole export folder.")
        return import_polis_export(db, actor, initiative_id, folder, topic=topic)


def export_polis_zip(db: Session, actor: Actor, dialogue_id: int) -> bytes:
    """The dialogue as a .zip of a Polis export folder (facilitators only)."""
    dialogue = dialogue_for(db, actor, dialogue_id, at_least=Role.FACILITATOR)
    history = db.execute(
        select(Participant.pseudonym, Vote.statement_id, Vote.value, Vote.created_at)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Vote.dialogue_id == dialogue.id)
        .order_by(Vote.id)
    ).all()
    # Polis tools expect whole-number voter ids: number voters in order of their first vote.
    numbers: dict[str, int] = {}
    for pseudonym, *_ in history:
        numbers.setdefault(pseudonym, len(numbers))
    votes = pd.DataFrame(
        [(numbers[p], s, v, int(t.timestamp() * 1000)) for p, s, v, t in history],
        columns=["participant", "statement", "vote", "timestamp"],
    )
    statement_rows = db.execute(
        select(Statement, Participant.pseudonym)
        .outerjoin(Participant, Participant.id == Statement.author_id)
        .where(Statement.dialogue_id == dialogue.id)
        .order_by(Statement.id)
    ).all()
    for _, author in statement_rows:
        if author is not None:
            numbers.setdefault(author, len(numbers))
    statements = pd.DataFrame(
        [
            (
                s.id,
                s.text,
                {StatementState.ACCEPTED: 1, StatementState.REJECTED: -1}.get(s.state, 0),
                s.is_meta,
                s.is_seed,
                numbers.get(author) if author is not None else -1,
                int(s.created_at.timestamp() * 1000),
            )
            for s, author in statement_rows
        ],
        columns=["statement", "text", "moderated", "is_meta", "is_seed", "author", "timestamp"],
    )
    result = None
    if not votes.empty:
        # The same analysis the results page shows (warm-started from the stored state, so
        # the groups are the same), then relabelled with the export's voter numbers.
        engine_votes, _, engine_statements, _ = engine_input(db, dialogue)
        snapshot = latest_snapshot(db, dialogue.id)
        state = OpinionState.from_dict(snapshot.state) if snapshot is not None else None
        try:
            analysed = analyze(engine_votes, previous=state, statements=engine_statements)
        except InvalidInput:
            analysed = None
        if analysed is not None:
            relabelled = analysed.participants.assign(
                participant=analysed.participants["participant"].map(numbers)
            )
            result = replace(analysed, participants=relabelled)
    with tempfile.TemporaryDirectory() as folder:
        write_polis_export(
            folder,
            votes,
            statements,
            result,
            summary={"topic": dialogue.topic, "conversation-description": dialogue.prompt},
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in _EXPORT_FILES:
                path = Path(folder, name)
                if path.exists():
                    archive.write(path, f"dialogue-{dialogue.id}/{name}")
    return buffer.getvalue()
