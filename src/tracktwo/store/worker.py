"""The background worker: takes jobs from the shared queue and runs them.

On SQLite one worker thread runs inside the web server. On PostgreSQL any number of
`tracktwo worker` processes (on any machine) share the queue; the queue's locking makes sure
each job runs once and one dialogue is analysed by one worker at a time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping

from tracktwo.store import queue
from tracktwo.store.platform import Platform

__all__ = ["Handler", "Worker"]

log = logging.getLogger("tracktwo.store.worker")
Handler = Callable[[Platform, str], object]


class Worker:
    def __init__(
        self, platform: Platform, handlers: Mapping[str, Handler], *, poll_seconds: float = 0.5
    ) -> None:
        """``handlers``: job kind -> the function that does it (every part's, from
        :func:`tracktwo.parts.job_handlers`)."""
        self.platform = platform
        self.poll_seconds = poll_seconds
        self.name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.handlers = dict(handlers)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_recovery = 0.0

    def run_one(self) -> bool:
        """Run one due job, if there is one; True when a job ran."""
        with self.platform.database.transaction() as db:
            if time.monotonic() - self._last_recovery > 60:
                queue.recover_stale(db)
                queue.prune(db)
                self._last_recovery = time.monotonic()
            job = queue.claim(db, self.name, list(self.handlers))
            if job is None:
                return False
            job_id, kind, key = job.id, job.kind, job.key
        error = None
        try:
            self.handlers[kind](self.platform, key)
        except Exception as exc:  # a failed job must not stop the worker
            log.exception("job %s (%s %s) failed", job_id, kind, key)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        with self.platform.database.transaction() as db:
            queue.finish(db, job_id, error=error)
        return True

    def run(self) -> None:
        """Work until :meth:`stop` is called."""
        while not self._stop.is_set():
            try:
                busy = self.run_one()
            except Exception:  # the database went away for a moment, say: wait and retry
                log.exception("the worker could not take a job")
                busy = False
            if not busy:
                self._stop.wait(self.poll_seconds)

    def start_in_thread(self) -> None:
        self._thread = threading.Thread(target=self.run, name="tracktwo-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def drain(self, timeout: float = 60.0) -> None:
        """Run jobs until none is due (for tests and the CLI)."""
        deadline = time.monotonic() + timeout
        while self.run_one() and time.monotonic() < deadline:
            pass
