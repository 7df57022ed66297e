"""`tracktwo worker` as separate processes sharing one queue (PostgreSQL's scale-out mode)."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select

from tests.parts.dialogues.helpers import join, make_world
from tracktwo.parts.dialogues.actions.participation import cast_vote
from tracktwo.parts.dialogues.models import AnalysisSnapshot, Statement
from tracktwo.store.jobs import Job
from tracktwo.store.platform import Platform


def test_worker_processes_analyse_every_dialogue_once(platform: Platform) -> None:
    worlds = [make_world(platform)]
    from tracktwo.parts.dialogues.actions.dialogues import (
        DialogueSettings,
        create_dialogue,
        set_dialogue_state,
    )

    with platform.database.transaction() as db:
        second = create_dialogue(
            db,
            worlds[0].facilitator,
            worlds[0].initiative_id,
            DialogueSettings(topic="Second"),
            seed_statements=["One.", "Two."],
        )
        set_dialogue_state(db, worlds[0].facilitator, second.id, "open")
        second_links = {(k.side.name if k.side else "Everyone"): k.token for k in second.links}
    from dataclasses import replace

    worlds.append(replace(worlds[0], dialogue_id=second.id, links=second_links))
    for world in worlds:
        for side in ("Hill", "Harbour", "Hill"):
            person, _ = join(world, side)
            with platform.database.transaction() as db:
                for statement in db.scalars(
                    select(Statement.id).where(Statement.dialogue_id == world.dialogue_id)
                ):
                    cast_vote(
                        db,
                        db.merge(person),
                        world.dialogue_id,
                        statement,
                        1 if side == "Hill" else -1,
                    )
    env = {
        **os.environ,
        "TRACKTWO_DATABASE_URL": platform.database.url,
        "TRACKTWO_DATA_DIR": str(platform.settings.data_dir),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tracktwo", "worker", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in workers:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr
    with platform.database.transaction() as db:
        snapshots = db.execute(
            select(AnalysisSnapshot.dialogue_id, func.count()).group_by(
                AnalysisSnapshot.dialogue_id
            )
        ).all()
        assert sorted(snapshots) == sorted([(w.dialogue_id, 1) for w in worlds])
        assert set(db.scalars(select(Job.state))) == {"done"}
