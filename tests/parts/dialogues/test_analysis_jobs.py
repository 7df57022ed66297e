"""Votes never wait for the analysis: the job queue, the worker, snapshots and warm starts."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

from sqlalchemy import func, select

from tests.parts.dialogues.helpers import join, make_world
from tracktwo.parts import job_handlers
from tracktwo.parts.dialogues.actions.analysis import latest_snapshot, public_result
from tracktwo.parts.dialogues.actions.participation import cast_vote
from tracktwo.parts.dialogues.models import AnalysisSnapshot, Statement
from tracktwo.store import queue
from tracktwo.store.jobs import Job
from tracktwo.store.platform import Platform
from tracktwo.store.worker import Worker


def _vote_everyone(platform: Platform, world, people: int = 24) -> None:  # type: ignore[no-untyped-def]
    """Two opinion camps that mostly follow their side, so groups appear."""
    rng = random.Random(3)
    with platform.database.transaction() as db:
        statements = list(db.scalars(select(Statement.id).order_by(Statement.id)))
    for index in range(people):
        side = "Hill" if index % 2 else "Harbour"
        person, _ = join(world, side)
        with platform.database.transaction() as db:
            participant = db.merge(person)
            for position, statement in enumerate(statements):
                camp = 1 if side == "Hill" else -1
                value = camp if position % 2 else 1
                if rng.random() < 0.1:
                    value = -value
                cast_vote(db, participant, world.dialogue_id, statement, value, analysis_delay=0)


def test_the_worker_stores_a_snapshot_with_groups(platform: Platform) -> None:
    world = make_world(platform)
    _vote_everyone(platform, world)
    Worker(platform, job_handlers()).drain()
    with platform.database.transaction() as db:
        snapshot = latest_snapshot(db, world.dialogue_id)
        assert snapshot is not None
        result = snapshot.result
        assert len(result["participants"]) == 24
        assert len(result["groups"]) >= 2
        assert snapshot.state  # the engine state for the next warm start
        assert result["participation"][-1][1] == snapshot.n_votes
        assert db.scalar(select(func.count(Job.id)).where(Job.state == "queued")) == 0
        assert set(public_result(result)["participants"][0]) >= {"x", "y", "group"}
        assert all("id" not in row for row in public_result(result)["participants"])


def test_groups_stay_put_when_one_more_vote_arrives(platform: Platform) -> None:
    world = make_world(platform)
    _vote_everyone(platform, world)
    worker = Worker(platform, job_handlers())
    worker.drain()
    with platform.database.transaction() as db:
        before = {
            p["id"]: p["group"]
            for p in latest_snapshot(db, world.dialogue_id).result["participants"]
        }  # type: ignore[union-attr]
    extra, _ = join(world, "Hill")
    with platform.database.transaction() as db:
        statement = db.scalars(select(Statement.id)).first()
        cast_vote(db, db.merge(extra), world.dialogue_id, statement, 1, analysis_delay=0)  # type: ignore[arg-type]
    worker.drain()
    with platform.database.transaction() as db:
        assert db.scalar(select(func.count(AnalysisSnapshot.id))) == 2
        after = {
            p["id"]: p["group"]
            for p in latest_snapshot(db, world.dialogue_id).result["participants"]
        }  # type: ignore[union-attr]
    moved = [pid for pid in before if before[pid] != after[pid]]
    assert len(moved) <= 1


def test_one_waiting_job_per_dialogue_and_one_runner_at_a_time(platform: Platform) -> None:
    with platform.database.transaction() as db:
        for _ in range(5):
            queue.enqueue(db, "analyse-dialogue", "dialogue:1")
        queue.enqueue(db, "analyse-dialogue", "dialogue:2")
    with platform.database.transaction() as db:
        assert db.scalar(select(func.count(Job.id))) == 2
        first = queue.claim(db, "w1", ["analyse-dialogue"])
        assert first is not None
    with platform.database.transaction() as db:
        queue.enqueue(db, "analyse-dialogue", first.key)  # new votes while it runs
    with platform.database.transaction() as db:
        second = queue.claim(db, "w2", ["analyse-dialogue"])
        assert second is not None and second.key != first.key  # not the same dialogue twice
        assert queue.claim(db, "w3", ["analyse-dialogue"]) is None
    with platform.database.transaction() as db:
        queue.finish(db, first.id)
    with platform.database.transaction() as db:
        third = queue.claim(db, "w1", ["analyse-dialogue"])
        assert third is not None and third.key == first.key


def test_delayed_jobs_wait_and_failed_jobs_are_retried_then_given_up(platform: Platform) -> None:
    with platform.database.transaction() as db:
        queue.enqueue(db, "analyse-dialogue", "dialogue:7", delay=timedelta(hours=1))
        assert queue.claim(db, "w", ["analyse-dialogue"]) is None
        job = db.scalars(select(Job)).one()
        job.run_after = job.run_after - timedelta(hours=2)
    for _ in range(queue.MAX_ATTEMPTS):
        with platform.database.transaction() as db:
            job = db.scalars(select(Job)).one()
            job.run_after = job.run_after - timedelta(hours=1)
            claimed = queue.claim(db, "w", ["analyse-dialogue"])
            assert claimed is not None
            queue.finish(db, claimed.id, error="boom")
    with platform.database.transaction() as db:
        assert db.scalars(select(Job.state)).one() == "failed"


def test_concurrent_workers_never_take_the_same_job(platform: Platform) -> None:
    with platform.database.transaction() as db:
        for number in range(30):
            queue.enqueue(db, "analyse-dialogue", f"dialogue:{number}")
    taken: list[int] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while True:
            with platform.database.transaction() as db:
                job = queue.claim(db, name, ["analyse-dialogue"])
                if job is None:
                    return
                with lock:
                    taken.append(job.id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 30 and len(set(taken)) == 30
