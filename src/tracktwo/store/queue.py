"""The job queue: a table every server and worker shares, on SQLite and PostgreSQL alike.

* ``enqueue`` folds repeated requests into one waiting job per (kind, key), which is what
  debounces the analysis: a burst of votes causes one recomputation, not one per vote.
* ``claim`` takes the oldest due job with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLAlchemy
  leaves it out on SQLite, which has a single writer anyway), and never a job whose key
  already has a running job, so one dialogue is analysed by at most one worker at a time.
* A job left "running" by a worker that died is taken up again after ``STALE_AFTER``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from tracktwo.store.base import utcnow
from tracktwo.store.jobs import Job

__all__ = ["STALE_AFTER", "claim", "enqueue", "finish", "prune", "recover_stale"]

STALE_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3


def enqueue(db: Session, kind: str, key: str, *, delay: timedelta = timedelta(0)) -> None:
    """Ask for a job to run (no later than ``delay`` from now) unless one is already waiting."""
    waiting = db.scalar(
        select(Job.id).where(Job.kind == kind, Job.key == key, Job.state == "queued")
    )
    if waiting is not None:
        return
    try:
        with db.begin_nested():  # a concurrent request may insert the same job first
            db.add(Job(kind=kind, key=key, run_after=utcnow() + delay))
    except IntegrityError:
        pass


def claim(db: Session, worker: str, kinds: list[str]) -> Job | None:
    """Take one due job and mark it running; the caller commits straight away.

    The candidate is read with ``FOR UPDATE SKIP LOCKED`` where the database has it, and
    then taken with a conditional UPDATE that succeeds only if the job is still queued and
    its key has no running job. SQLite has no row locks, so two workers can read the same
    candidate; the conditional UPDATE runs under SQLite's single write lock, so only one of
    them gets it and the other tries the next candidate.
    """
    for _ in range(10):
        running = aliased(Job)
        no_runner = ~exists().where(
            and_(running.kind == Job.kind, running.key == Job.key, running.state == "running")
        )
        candidate = db.scalar(
            select(Job.id)
            .where(
                Job.state == "queued",
                Job.kind.in_(kinds),
                Job.run_after <= utcnow(),
                no_runner,
            )
            .order_by(Job.run_after, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            return None
        taken = db.execute(
            update(Job)
            .where(Job.id == candidate, Job.state == "queued", no_runner)
            .values(
                state="running", locked_by=worker, locked_at=utcnow(), attempts=Job.attempts + 1
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            job = db.get(Job, candidate, populate_existing=True)
            assert job is not None
            return job
    return None


def finish(db: Session, job_id: int, *, error: str | None = None) -> None:
    job = db.get(Job, job_id)
    if job is None:
        return
    job.finished_at = utcnow()
    if error is None:
        job.state = "done"
        job.error = None
    elif job.attempts < MAX_ATTEMPTS and not _has_queued_twin(db, job):
        job.state = "queued"  # try again a little later
        job.error = error
        job.run_after = utcnow() + timedelta(seconds=10 * job.attempts)
    else:
        job.state = "failed"
        job.error = error


def _has_queued_twin(db: Session, job: Job) -> bool:
    twin = db.scalar(
        select(Job.id).where(
            Job.kind == job.kind, Job.key == job.key, Job.state == "queued", Job.id != job.id
        )
    )
    return twin is not None


def recover_stale(db: Session) -> int:
    """Put jobs whose worker vanished mid-run back in the queue (or fail them)."""
    cutoff = utcnow() - STALE_AFTER
    stale = list(db.scalars(select(Job).where(Job.state == "running", Job.locked_at < cutoff)))
    for job in stale:
        finish(db, job.id, error="the worker stopped while running this job")
    return len(stale)


def prune(db: Session, *, older_than: timedelta = timedelta(days=7)) -> None:
    """Forget finished jobs after a while; failed ones stay for inspection."""
    db.execute(delete(Job).where(Job.state == "done", Job.finished_at < utcnow() - older_than))
