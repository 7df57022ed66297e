"""Receiving an upload: streamed to disk, capped, and refused before writing when forged."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from tracktwo.common.uploads import UploadLimits
from tracktwo.web.errors import install_error_handlers
from tracktwo.web.uploads import receive_upload

LIMITS = UploadLimits("answers file", max_bytes=100_000)
GOOD_TOKEN = "t" * 64


def _app(seen: list[dict[str, object]]) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app, json=True)

    @app.post("/upload")
    async def upload(request: Request) -> JSONResponse:
        with await receive_upload(
            request,
            LIMITS,
            file_field="upload",
            check_csrf=lambda token: token == GOOD_TOKEN,
            known_fields={"topic"},
        ) as received:
            content = received.file.read_bytes() if received.file else b""
            seen.append({"folder": received.folder, "fields": received.fields})
            return JSONResponse(
                {"size": received.size, "name": received.filename, "bytes": len(content)}
            )

    return app


@pytest.fixture
def uploads() -> Iterator[tuple[TestClient, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []
    with TestClient(_app(seen)) as client:
        yield client, seen


def _leftover_upload_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("tracktwo-upload-*")}


def test_a_file_is_received_and_its_folder_removed_afterwards(
    uploads: tuple[TestClient, list[dict[str, object]]],
) -> None:
    client, seen = uploads
    response = client.post(
        "/upload",
        data={"csrf_token": GOOD_TOKEN, "topic": "Water"},
        files={"upload": ("answers.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"size": 8, "name": "answers.csv", "bytes": 8}
    assert seen[0]["fields"] == {"csrf_token": GOOD_TOKEN, "topic": "Water"}
    assert not Path(str(seen[0]["folder"])).exists()


def test_a_file_over_the_limit_is_413_whether_declared_or_streamed(
    uploads: tuple[TestClient, list[dict[str, object]]],
) -> None:
    client, _ = uploads
    before = _leftover_upload_folders()
    response = client.post(
        "/upload",
        data={"csrf_token": GOOD_TOKEN},
        files={"upload": ("a.csv", b"x" * 100_001, "text/csv")},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The answers file is too large; at most 97 kB is accepted."
    )
    huge = client.post(
        "/upload",
        content=b"--b\r\n",
        headers={"content-type": "multipart/form-data; boundary=b", "content-length": "10" * 9},
    )
    assert huge.status_code == 413
    assert _leftover_upload_folders() == before


@pytest.mark.parametrize(
    "fields",
    [{}, {"csrf_token": "wrong"}, {"csrf_token": GOOD_TOKEN[:-1] + "u"}],
    ids=["no token", "wrong token", "almost right"],
)
def test_a_forged_upload_is_refused_before_its_file_is_written(
    uploads: tuple[TestClient, list[dict[str, object]]], fields: dict[str, str]
) -> None:
    client, seen = uploads
    before = _leftover_upload_folders()
    response = client.post("/upload", data=fields, files={"upload": ("a.csv", b"a\n", "text/csv")})
    assert response.status_code == 403
    assert "security token" in response.json()["detail"]
    assert seen == [] and _leftover_upload_folders() == before


def test_a_token_sent_after_the_file_does_not_count(
    uploads: tuple[TestClient, list[dict[str, object]]],
) -> None:
    client, _ = uploads
    body = (
        b'--b\r\nContent-Disposition: form-data; name="upload"; filename="a.csv"\r\n\r\n'
        b'a\n\r\n--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + GOOD_TOKEN.encode()
        + b"\r\n--b--\r\n"
    )
    response = client.post(
        "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"a=1", "application/x-www-form-urlencoded", "Send the file with the upload form"),
        (b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\nxx', None, "cut off"),
        (
            b'--b\r\nContent-Disposition: form-data; name="other"\r\n\r\n1\r\n--b--\r\n',
            None,
            "security token",
        ),
        (b"garbage without a boundary", None, "not a well-formed form"),
    ],
    ids=["not multipart", "cut off", "no token at all", "garbage"],
)
def test_malformed_bodies_are_one_sentence(
    uploads: tuple[TestClient, list[dict[str, object]]],
    body: bytes,
    content_type: str | None,
    message: str,
) -> None:
    client, _ = uploads
    response = client.post(
        "/upload",
        content=body,
        headers={
            "content-type": content_type or "multipart/form-data; boundary=b",
            # a script's token in the header: the body is then refused for its own reasons
            **({"x-csrf-token": GOOD_TOKEN} if content_type else {}),
        },
    )
    assert 400 <= response.status_code < 500
    assert message in response.json()["detail"]


def test_unexpected_fields_and_files_are_refused(
    uploads: tuple[TestClient, list[dict[str, object]]],
) -> None:
    client, _ = uploads
    response = client.post(
        "/upload",
        data={"csrf_token": GOOD_TOKEN, "admin": "1"},
        files={"upload": ("a.csv", b"a\n", "text/csv")},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The form has an unexpected field 'admin'."
    response = client.post(
        "/upload",
        data={"csrf_token": GOOD_TOKEN},
        files={"other": ("a.csv", b"a\n", "text/csv")},
    )
    assert response.json()["detail"] == "The form has an unexpected file field 'other'."


def test_oversized_and_non_utf8_fields_are_refused(
    uploads: tuple[TestClient, list[dict[str, object]]],
) -> None:
    client, _ = uploads
    response = client.post(
        "/upload",
        data={"csrf_token": GOOD_TOKEN, "topic": "x" * 70_000},
        files={"upload": ("a.csv", b"a\n", "text/csv")},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The form field 'topic' is too long."
    body = b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n\xff\xfe\r\n--b--\r\n'
    response = client.post(
        "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert response.json()["detail"] == "The form field 'csrf_token' is not UTF-8 text."


def test_a_body_that_is_not_a_form_without_a_token_is_a_forgery(
    uploads: tuple[TestClient, list[dict[str, object]]],
) -> None:
    client, _ = uploads
    response = client.post("/upload", data={"name": "x"})
    assert response.status_code == 403 and "security token" in response.json()["detail"]
