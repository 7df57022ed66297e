"""Files the platform hands out (exports, figures, briefs): one way to send them.

Every download carries participants' pseudonymous data or findings about them, so none of
them may stay in a shared browser's cache.
"""

from __future__ import annotations

from fastapi.responses import Response

__all__ = ["attachment", "attachment_headers"]


def attachment_headers(filename: str) -> dict[str, str]:
    return {
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "no-store",
    }


def attachment(
    content: bytes | str,
    media_type: str,
    filename: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """``content`` as a file to save under ``filename`` (text is sent as UTF-8)."""
    body = content.encode("utf-8") if isinstance(content, str) else content
    return Response(
        body, media_type=media_type, headers={**attachment_headers(filename), **(headers or {})}
    )
