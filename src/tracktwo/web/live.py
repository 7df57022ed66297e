"""Server-sent events for live pages: poll a cheap version read, announce what changed.

Polling the database (one indexed read per open page every few seconds) works the same with
one server on SQLite and with many servers on PostgreSQL, with no message broker.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tracktwo.store.uow import UnitOfWork
from tracktwo.web.context import PageContext

__all__ = ["STREAM_SECONDS", "poll_stream"]

STREAM_SECONDS = 30 * 60  # browsers reconnect by themselves after this
Version = TypeVar("Version")


def poll_stream(
    ctx: PageContext,
    read: Callable[[Session], Version],
    describe: Callable[[Version, Version], str | None],
    *,
    poll_seconds: float,
    seen: Version | None = None,
) -> StreamingResponse:
    """An event stream: every ``poll_seconds``, ``read(db)`` the version (in a worker thread,
    in a unit of work of its own, so each poll sees every commit) and send
    ``describe(last, current)`` (one SSE message, or None for "nothing new").

    ``seen`` is the version the page was drawn from, when it says so: a change made between
    drawing the page and opening the stream is then announced at once instead of lost.
    """

    database = ctx.platform.database

    def poll() -> Version:
        with UnitOfWork(database) as work:
            return read(work.session)

    async def stream() -> AsyncIterator[str]:
        last = await run_in_threadpool(poll)
        yield "retry: 5000\n\n"
        if seen is not None:
            missed = describe(seen, last)
            if missed:
                yield missed
        waited = 0.0
        while waited < STREAM_SECONDS:
            if await ctx.request.is_disconnected():
                return
            await asyncio.sleep(poll_seconds)
            waited += poll_seconds
            current = await run_in_threadpool(poll)
            # A comment line keeps proxies from closing an idle stream.
            yield describe(last, current) or ": still here\n\n"
            last = current

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )
