"""Every acknowledged vote survives a crash: the process dies right after answering."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from tests.parts.dialogues.helpers import join, make_world
from tracktwo.parts.dialogues.models import Statement, Vote
from tracktwo.store.platform import Platform


def test_a_vote_acknowledged_before_a_crash_is_stored(platform: Platform) -> None:
    world = make_world(platform)
    _, secret = join(world)
    with platform.database.transaction() as db:
        statement = db.scalars(select(Statement.id)).first()
    script = textwrap.dedent(f"""
        import os
        from tracktwo.kernel.config import Settings
        from tracktwo.store.platform import Platform
        from tracktwo.common.participation.actions import participant_for_secret
        from tracktwo.parts.dialogues.actions.participation import cast_vote
        platform = Platform(Settings(database_url={platform.database.url!r},
                                     data_dir={str(platform.settings.data_dir)!r}))
        with platform.database.transaction() as db:
            person = participant_for_secret(db, {secret!r})
            cast_vote(db, person, {world.dialogue_id}, {statement}, -1)
        print("acknowledged", flush=True)
        os._exit(9)  # no clean shutdown: no pool disposal, no checkpoint
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 9, result.stderr
    assert result.stdout.strip() == "acknowledged"
    with platform.database.transaction() as db:
        assert db.scalar(select(func.count(Vote.id)).where(Vote.value == -1)) == 1
