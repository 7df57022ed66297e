"""Receiving a form with a file: streamed to disk within limits, after the permission check.

FastAPI reads a whole multipart body before the route runs when the route declares ``File()``
or ``Form()`` parameters, so a 10 GB upload from someone with no role at all would be
received in full before anyone asked who sent it. Upload routes therefore declare neither:
they check the actor's permission, then call :func:`receive_upload`, which

- refuses a ``Content-Length`` above the limit before reading anything (HTTP 413);
- parses the body as it arrives (python-multipart's streaming parser), writing the file part
  through :class:`~tracktwo.common.uploads.CappedWriter` into a private temporary folder and
  stopping at the limit;
- checks the CSRF token as soon as its field arrives, and refuses a file part that comes
  before it (our forms put the token first, as browsers send fields in page order), so a
  forged request gets nothing written to disk;
- keeps ordinary fields small and few.

The received form is a context manager: leaving it removes the temporary folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from tracktwo.common.uploads import CappedWriter, UploadLimits, UploadTooLarge
from tracktwo.kernel.errors import InvalidInput, PermissionDenied

__all__ = ["ReceivedUpload", "receive_page_upload", "receive_upload"]

# Room for the boundaries, part headers and the small fields around the file.
FORM_OVERHEAD_BYTES = 256 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 32
CSRF_REFUSED = (
    "This form could not be accepted because its security token is missing or out of date; "
    "reload the page and try again."
)


@dataclass
class ReceivedUpload:
    """The fields and the file of one form, the file on disk in a private folder."""

    folder: Path
    fields: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    filename: str = ""
    size: int = 0

    def __enter__(self) -> ReceivedUpload:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Receiver:
    """The parser's callbacks: one part at a time, a field in memory or the file on disk."""

    def __init__(
        self,
        received: ReceivedUpload,
        limits: UploadLimits,
        file_field: str,
        check_csrf: Callable[[str], bool] | None,
        csrf_field: str,
    ) -> None:
        self.received = received
        self.limits = limits
        self.file_field = file_field
        self.check_csrf = check_csrf
        self.csrf_field = csrf_field
        self.csrf_ok = check_csrf is None
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.value = bytearray()
        self.sink: BinaryIO | None = None
        self.writer: CappedWriter | None = None
        self.fields = 0
        self.ended = False

    def on_part_begin(self) -> None:
        self.headers = {}
        self.value = bytearray()
        self.fields += 1
        if self.fields > MAX_FIELDS:
            raise InvalidInput("The form has too many fields.")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.strip().lower()] = self.header_value.strip()
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            return
        if self.name != self.file_field:
            raise InvalidInput(f"The form has an unexpected file field {self.name[:40]!r}.")
        if self.received.file is not None:
            raise InvalidInput("Send one file at a time.")
        if not self.csrf_ok:
            raise PermissionDenied(CSRF_REFUSED)
        self.received.filename = filename.decode("utf-8", "replace")[:200]
        self.received.file = self.received.folder / "upload"
        self.sink = self.received.file.open("wb")
        self.writer = CappedWriter(
            self.sink,
            self.limits.max_bytes,
            self.limits.too_large_message(),
        )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writer is not None:
            self.writer.write(data[start:end])
            return
        self.value += data[start:end]
        if len(self.value) > MAX_FIELD_BYTES:
            raise InvalidInput(f"The form field {self.name[:40]!r} is too long.")

    def on_part_end(self) -> None:
        if self.writer is not None and self.sink is not None:
            self.received.size = self.writer.size
            self.sink.close()
            self.sink = self.writer = None
            return
        try:
            text = self.value.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"The form field {self.name[:40]!r} is not UTF-8 text.") from None
        if self.name == self.csrf_field and self.check_csrf is not None:
            self.csrf_ok = self.check_csrf(text)
            if not self.csrf_ok:
                raise PermissionDenied(CSRF_REFUSED)
        self.received.fields[self.name] = text

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self.sink is not None:
            self.sink.close()


async def receive_upload(
    request: Request,
    limits: UploadLimits,
    *,
    file_field: str,
    check_csrf: Callable[[str], bool] | None,
    csrf_field: str = "csrf_token",
    known_fields: Collection[str] = (),
) -> ReceivedUpload:
    """Read the multipart body of ``request`` within ``limits``; call after the permission check.

    ``check_csrf`` verifies the token field (None for bearer-token API calls). Fields other
    than ``file_field``, ``csrf_field`` and ``known_fields`` are refused. The caller must use
    the result as a context manager (or call ``discard``) so that the file is removed.
    """
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    header_token = request.headers.get("x-csrf-token")
    header_ok = check_csrf is None or (header_token is not None and check_csrf(header_token))
    if kind != b"multipart/form-data" or not boundary:
        if not header_ok:  # the token would be in the body we will not read: forged
            raise PermissionDenied(CSRF_REFUSED)
        raise InvalidInput("Send the file with the upload form (multipart/form-data).")
    ceiling = limits.max_bytes + FORM_OVERHEAD_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and len(declared) < 20 and int(declared) > ceiling:
        raise UploadTooLarge(limits.too_large_message())
    received = ReceivedUpload(folder=Path(tempfile.mkdtemp(prefix="tracktwo-upload-")))
    receiver = _Receiver(received, limits, file_field, check_csrf, csrf_field)
    receiver.csrf_ok = header_ok
    try:
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": receiver.on_part_begin,
                "on_part_data": receiver.on_part_data,
                "on_part_end": receiver.on_part_end,
                "on_header_field": receiver.on_header_field,
                "on_header_value": receiver.on_header_value,
                "on_header_end": receiver.on_header_end,
                "on_headers_finished": receiver.on_headers_finished,
                "on_end": receiver.on_end,
            },
        )
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > ceiling:
                raise UploadTooLarge(limits.too_large_message())
            parser.write(chunk)
        parser.finalize()
        if not receiver.ended:
            raise InvalidInput("The upload was cut off before its end; send it again.")
        if not receiver.csrf_ok:
            raise PermissionDenied(CSRF_REFUSED)
        allowed = {file_field, csrf_field, *known_fields}
        unexpected = sorted(set(received.fields) - allowed)
        if unexpected:
            raise InvalidInput(f"The form has an unexpected field {unexpected[0][:40]!r}.")
    except FormParserError:
        receiver.close()
        received.discard()
        raise InvalidInput("The upload is not a well-formed form; send it again.") from None
    except ClientDisconnect:
        receiver.close()
        received.discard()
        raise InvalidInput("The upload was cut off before its end; send it again.") from None
    except BaseException:
        receiver.close()
        received.discard()
        raise
    return received


async def receive_page_upload(
    request: Request,
    limits: UploadLimits,
    *,
    file_field: str,
    known_fields: Collection[str] = (),
) -> ReceivedUpload:
    """:func:`receive_upload` for a page's form: its CSRF token checked as the body arrives.

    The route must be marked ``route.streams_its_body = True`` (so the router's CSRF check
    leaves the body to it) and must check the permission before calling this.
    """
    from tracktwo.web.security import token_fits

    return await receive_upload(
        request,
        limits,
        file_field=file_field,
        check_csrf=lambda token: token_fits(request, token),
        known_fields=known_fields,
    )
