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
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracktwo.common.initiatives.access import Actor, initiative_for
from tracktwo.common.initiatives.models import Role
from tracktwo.common.participation.actions import create_links, new_pseudonym
from tracktwo.common.participation.models import Participant, PartMembership
from tracktwo.common.uploads import BatchWriter, UploadLimits, extract_members
from tracktwo.kernel.errors import InvalidInput
from tracktwo.kernel.parsing import EARLIEST, LATEST
from tracktwo.kernel.text import clean_text, drop_controls, excerpt
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
from tracktwo.store.db import Database

__all__ = [
    "POLIS_UPLOAD",
    "check_polis_import",
    "export_polis_zip",
    "import_polis_export",
    "import_polis_zip",
]

_STATES = {1: StatementState.ACCEPTED, 0: StatementState.PENDING, -1: StatementState.REJECTED}
_EXPORT_FILES = ("votes.csv", "comments.csv", "participants-votes.csv", "summary.csv")


POLIS_UPLOAD = UploadLimits(
    "Polis export",
    max_bytes=200 * 1024 * 1024,
    max_unpacked_bytes=512 * 1024 * 1024,
    max_entries=1000,
)
MAX_IMPORTED_STATEMENT = 5000
IMPORT_PENDING = "pending"


def _moments(values: pd.Series, name: str) -> list[datetime]:
    """Polis's millisecond times as UTC datetimes (the reader made sure they are integers)."""
    low = int(EARLIEST.timestamp() * 1000)
    high = int(LATEST.timestamp() * 1000)
    numbers = values.fillna(0).astype("int64")
    if len(numbers) and (numbers.min() < low or numbers.max() >= high):
        raise InvalidInput(
            f"{name} has a timestamp outside {EARLIEST.year}-{LATEST.year}; Polis writes "
            "milliseconds since 1970."
        )
    stamps = pd.to_datetime(numbers.to_numpy(), unit="ms", utc=True)
    return [moment.to_pydatetime() for moment in stamps]


def _imported_text(value: object, what: str, limit: int, *, multiline: bool = False) -> str:
    # Someone else's file: invisible controls are dropped rather than refused (the importer
    # cannot fix them), then the usual policy applies.
    return clean_text(drop_controls(str(value)), what, limit, required=False, multiline=multiline)


def check_polis_import(db: Session, actor: Actor, initiative_id: int) -> None:
    """Raise unless ``actor`` may import into the initiative (before any upload is read)."""
    initiative_for(db, actor, initiative_id, at_least=Role.FACILITATOR)


def import_polis_export(
    database: Database,
    actor: Actor,
    initiative_id: int,
    folder: str | Path,
    *,
    topic: str = "",
) -> int:
    """A new (closed) dialogue holding a Polis conversation's statements and votes; its id.

    Everything is read and checked first; then the rows are written in short batches
    (:class:`~tracktwo.common.uploads.BatchWriter`), so that votes and sign-ins of everybody
    else keep going on SQLite while a large conversation is imported. Until the last batch
    the dialogue is a draft nobody can join; if anything fails, what was written is removed.
    """
    with database.transaction() as db:
        initiative = initiative_for(db, actor, initiative_id, at_least=Role.FACILITATOR)
        language = initiative.languages[0]
    export = read_polis_export(folder)
    comments = export.comments
    if comments is None:
        raise InvalidInput(
            "The export folder has no comments.csv, so the statements' texts are unknown."
        )
    title = (
        _imported_text(topic or export.summary.get("topic") or Path(folder).name, "topic", 200)
        or "Imported Polis conversation"
    )
    prompt = _imported_text(
        export.summary.get("conversation-description") or "", "description", 2000, multiline=True
    )
    texts = [_imported_text(text, "statement", MAX_IMPORTED_STATEMENT) for text in comments["text"]]
    statement_times = _moments(comments["timestamp"], "comments.csv")
    known_statements = set(comments["statement"])
    unknown = set(export.votes["statement"]) - known_statements
    if unknown:
        raise InvalidInput(
            f"votes.csv has votes on statement {excerpt(sorted(unknown, key=str)[0])}, which "
            "comments.csv does not list."
        )
    votes = export.votes.sort_values("timestamp", kind="stable")
    vote_times = _moments(votes["timestamp"], "votes.csv")
    voters = pd.unique(pd.concat([export.votes["participant"], comments["author"]]).dropna())

    writer = BatchWriter(database)

    def create(db: Session) -> int:
        dialogue = Dialogue(
            initiative_id=initiative_id,
            topic=title,
            prompt=prompt,
            state=DialogueState.DRAFT,
            moderation=Moderation.STRICT,
            imported_from=title,
            max_length=MAX_IMPORTED_STATEMENT,
        )
        db.add(dialogue)
        db.flush()
        create_links(db, "dialogues", dialogue.id, db.merge(initiative), per_side=False)
        return dialogue.id

    dialogue_id: int = writer.run(create)
    participant_ids: list[int] = []
    try:
        pseudonyms: set[str] = set()
        people = []
        for _ in voters:
            pseudonym = new_pseudonym()
            while pseudonym in pseudonyms:
                pseudonym = new_pseudonym()
            pseudonyms.add(pseudonym)
            # A random secret nobody holds: imported voters cannot sign in as themselves.
            people.append(
                {
                    "initiative_id": initiative_id,
                    "pseudonym": pseudonym,
                    "token_hash": hash_secret(new_secret()),
                    "language": language,
                }
            )
        participant_ids = writer.insert_returning_ids(Participant, people)
        participants = dict(zip(voters.tolist(), participant_ids, strict=True))
        for person in participant_ids:
            writer.add(
                PartMembership,
                {"part": "dialogues", "target_id": dialogue_id, "participant_id": person},
            )
        writer.flush()
        statement_ids = writer.insert_returning_ids(
            Statement,
            [
                {
                    "dialogue_id": dialogue_id,
                    "text": text,
                    "language": language,
                    "author_id": participants.get(row.author),
                    "is_seed": bool(row.is_seed),
                    "is_meta": bool(row.is_meta),
                    "state": _STATES.get(int(row.moderated), StatementState.PENDING),
                    "created_at": moment,
                }
                for row, text, moment in zip(
                    comments.itertuples(index=False), texts, statement_times, strict=True
                )
            ],
        )
        statements = dict(zip(comments["statement"].tolist(), statement_ids, strict=True))
        for vote, moment in zip(votes.itertuples(index=False), vote_times, strict=True):
            writer.add(
                Vote,
                {
                    "dialogue_id": dialogue_id,
                    "statement_id": statements[vote.statement],
                    "participant_id": participants[vote.participant],
                    "value": int(vote.vote),
                    "created_at": moment,
                },
            )
        writer.flush()

        def finish(db: Session) -> None:
            dialogue = db.get(Dialogue, dialogue_id)
            assert dialogue is not None
            dialogue.state = DialogueState.CLOSED
            request_analysis(db, dialogue_id, delay_seconds=0)

        writer.run(finish)
    except BaseException:
        _remove_import(database, dialogue_id, participant_ids)
        raise
    return dialogue_id


def _remove_import(database: Database, dialogue_id: int, participant_ids: list[int]) -> None:
    """Undo a failed import: the draft dialogue (its rows go with it) and its new voters."""
    with database.transaction() as db:
        db.execute(delete(Dialogue).where(Dialogue.id == dialogue_id))
        db.execute(
            delete(PartMembership).where(
                PartMembership.part == "dialogues", PartMembership.target_id == dialogue_id
            )
        )
        for start in range(0, len(participant_ids), 1000):
            chunk = participant_ids[start : start + 1000]
            db.execute(delete(Participant).where(Participant.id.in_(chunk)))


def import_polis_zip(
    database: Database, actor: Actor, initiative_id: int, archive: Path, *, topic: str = ""
) -> int:
    """The same, from an uploaded .zip of the export folder (files at any depth).

    The archive is unpacked within :data:`POLIS_UPLOAD`'s limits (a zip bomb stops there; a
    bad checksum is a clear refusal) into a private folder that is removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="tracktwo-polis-") as folder:
        found = extract_members(archive, Path(folder), _EXPORT_FILES, POLIS_UPLOAD)
        if "votes.csv" not in found:
            raise InvalidInput("The .zip holds no votes.csv; upload the whole export folder.")
        return import_polis_export(database, actor, initiative_id, folder, topic=topic)


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
