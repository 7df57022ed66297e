"""Bounded uploads: zip bombs, bad checksums, huge lines and batches that let others write.

The memory bound is measured, not assumed: the hostile archives are unpacked in a child
process whose address space is capped (``RLIMIT_AS``) a little above what it uses at rest,
so reading a member whole would crash it instead of passing.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from tracktwo.common.uploads import (
    BatchWriter,
    CappedWriter,
    UploadLimits,
    UploadTooLarge,
    csv_rows,
    extract_members,
    zip_entry_count,
)
from tracktwo.kernel.errors import InvalidInput
from tracktwo.store.db import Database

MB = 1024 * 1024
WANTED = {"votes.csv", "comments.csv"}
LIMITS = UploadLimits("Polis export", max_bytes=20 * MB, max_unpacked_bytes=40 * MB, max_entries=50)


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _bomb(path: Path, name: str, unpacked: int) -> Path:
    """A small zip whose member inflates to ``unpacked`` bytes of zeros."""
    zeros = bytes(MB)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        for _ in range(unpacked // MB):
            member.write(zeros)
    return path


def test_wanted_members_are_unpacked_by_name_at_any_depth(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "export.zip",
        {
            "export/2024/votes.csv": b"a,b\n1,2\n",
            "export/comments.csv": b"c\n",
            "../../etc/passwd": b"not wanted",
            "export/notes.txt": b"ignored",
        },
    )
    out = tmp_path / "out"
    out.mkdir()
    found = extract_members(archive, out, WANTED, LIMITS)
    assert found == {"votes.csv": out / "votes.csv", "comments.csv": out / "comments.csv"}
    assert (out / "votes.csv").read_bytes() == b"a,b\n1,2\n"
    assert sorted(p.name for p in out.iterdir()) == ["comments.csv", "votes.csv"]


def test_a_backslash_path_cannot_escape_the_folder(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "x.zip", {"..\\..\\votes.csv": b"v\n"})
    out = tmp_path / "out"
    out.mkdir()
    assert extract_members(archive, out, WANTED, LIMITS) == {"votes.csv": out / "votes.csv"}


def test_a_member_found_twice_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "x.zip", {"a/votes.csv": b"1", "b/votes.csv": b"2"})
    with pytest.raises(InvalidInput, match=r"holds votes.csv twice"):
        extract_members(archive, tmp_path, WANTED, LIMITS)


def test_too_many_entries_are_refused_before_the_directory_is_parsed(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "x.zip", {f"f{i}.txt": b"" for i in range(51)})
    assert zip_entry_count(archive) == 51
    with pytest.raises(UploadTooLarge, match=r"holds 51 entries; at most 50"):
        extract_members(archive, tmp_path, WANTED, LIMITS)


def test_the_entry_count_is_read_from_a_zip64_record_too(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", allowZip64=True) as z:
        for i in range(3):
            with z.open(f"f{i}", "w", force_zip64=True) as member:
                member.write(b"x")
    assert zip_entry_count(archive) == 3


@pytest.mark.parametrize(
    "content", [b"", b"not a zip at all", b"PK\x05\x06" + b"\0" * 10, bytes(100_000)]
)
def test_what_is_not_a_zip_is_one_sentence(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        extract_members(path, tmp_path, WANTED, LIMITS)
    assert "Polis export" in caught.value.message
    assert str(tmp_path) not in caught.value.message


def _corrupt_stored_member(path: Path, marker: bytes) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(marker)
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_bad_checksum_is_a_clear_refusal(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "x.zip", {"votes.csv": b"timestamp,vote\n1,MARKER\n"}, zipfile.ZIP_STORED
    )
    _corrupt_stored_member(archive, b"MARKER")
    with pytest.raises(InvalidInput, match=r"^votes.csv in the Polis export does not match its"):
        extract_members(archive, tmp_path, WANTED, LIMITS)


def test_encrypted_and_unusual_members_are_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "x.zip", {"votes.csv": b"v" * 100}, zipfile.ZIP_LZMA)
    with pytest.raises(InvalidInput, match=r"unusual compression method"):
        extract_members(archive, tmp_path, WANTED, LIMITS)
    plain = _zip(tmp_path / "y.zip", {"votes.csv": b"v"}, zipfile.ZIP_STORED)
    data = bytearray(plain.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 0x01  # the "encrypted" flag bit
    plain.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match=r"is encrypted"):
        extract_members(plain, tmp_path, WANTED, LIMITS)


def test_unpacked_size_is_counted_across_members(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "x.zip", {"votes.csv": bytes(25 * MB), "comments.csv": bytes(25 * MB)}
    )
    with pytest.raises(UploadTooLarge, match=r"unpacks to more than 40 MB"):
        extract_members(archive, tmp_path, WANTED, LIMITS)


_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    from tracktwo.common.uploads import UploadLimits, extract_members
    from tracktwo.kernel.errors import InvalidInput

    def usage():
        fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
        return int(fields["VmSize"].split()[0]) * 1024

    archive, folder, cap = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    limits = UploadLimits("Polis export", max_bytes=20 << 20, max_unpacked_bytes=int(sys.argv[4]))
    resource.setrlimit(resource.RLIMIT_AS, (usage() + cap, usage() + cap))
    try:
        extract_members(archive, folder, {"votes.csv"}, limits)
        outcome = {"status": "unpacked"}
    except InvalidInput as error:
        outcome = {"status": error.status_code, "message": error.message}
    except MemoryError:
        outcome = {"status": "memory"}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({**outcome, "peak": peak}))
    """
)
MEMORY_HEADROOM = 64 * MB


def _unpack_in_capped_child(archive: Path, folder: Path, max_unpacked: int) -> dict[str, object]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(archive), str(folder), str(MEMORY_HEADROOM),
         str(max_unpacked)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    result: dict[str, object] = json.loads(run.stdout)
    return result


@pytest.mark.slow
def test_a_zip_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.zip", "export/votes.csv", 448 * MB)
    assert bomb.stat().st_size < MB  # as in the outside test: 450 MB in under 1 MB
    out = tmp_path / "out"
    out.mkdir()
    result = _unpack_in_capped_child(bomb, out, 100 * MB)
    assert result["status"] == 413, result
    assert "unpacks to more than 100 MB" in str(result["message"])
    # The control: the same child, allowed more than the member, reads all of it from disk
    # to disk within the same memory cap: the cap did not refuse the bomb by luck.
    out_all = tmp_path / "all"
    out_all.mkdir()
    control = _unpack_in_capped_child(bomb, out_all, 1024 * MB)
    assert control["status"] == "unpacked", control
    assert (out_all / "votes.csv").stat().st_size == 448 * MB
    (out_all / "votes.csv").unlink()


def test_a_bad_checksum_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "x.zip", {"votes.csv": b"x" * (8 * MB) + b"MARKER"}, zipfile.ZIP_STORED
    )
    _corrupt_stored_member(archive, b"MARKER")
    result = _unpack_in_capped_child(archive, tmp_path, 100 * MB)
    assert result["status"] == 400, result
    assert "does not match its checksum" in str(result["message"])


def test_the_capped_writer_stops_at_its_limit() -> None:
    sink = io.BytesIO()
    writer = CappedWriter(sink, 10, "Too large.")
    writer.write(b"12345")
    writer.write(b"67890")
    with pytest.raises(UploadTooLarge, match=r"Too large."):
        writer.write(b"x")
    assert sink.getvalue() == b"1234567890"


def test_csv_rows_reads_quoted_lines_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes('\ufeffid,text\n1,"two\nlines"\n2,plain\r\n'.encode())
    assert list(csv_rows(path, "answers.csv")) == [
        ["id", "text"],
        ["1", "two\nlines"],
        ["2", "plain"],
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n" + b"x" * 2000 + b"\n", r"^answers.csv, line 2, is longer than 1000 characters"),
        (b"a,b\n1,\xff\n", r"^answers.csv is not UTF-8 text"),
        (b'a,b\n1,"open\n', r"^answers.csv, line 2, is not valid CSV"),
        (b"a,b\n1,\x00\n", r"^answers.csv, line 2, contains a NUL character"),
        (b'a,b\n1,"x"y\n', r"^answers.csv, line 2, is not valid CSV"),
    ],
)
def test_csv_problems_name_the_file_and_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "server-side-name.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message) as caught:
        list(csv_rows(path, "answers.csv", max_line_characters=1000))
    assert "server-side-name" not in caught.value.message


def test_csv_row_cap(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("h\n" + "1\n" * 10)
    with pytest.raises(UploadTooLarge, match=r"more than 5 rows"):
        list(csv_rows(path, "a.csv", max_rows=5))


def _table() -> tuple[MetaData, Table]:
    metadata = MetaData()
    table = Table("items", metadata, Column("id", Integer, primary_key=True), Column("v", String))
    return metadata, table


def test_batches_are_short_transactions_of_their_own(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'b.db'}")
    metadata, table = _table()
    metadata.create_all(database.engine)
    writer = BatchWriter(database, batch_rows=100, min_pause=0)
    ids = writer.insert_returning_ids(table, [{"v": f"r{i}"} for i in range(250)])
    assert len(ids) == 250 and ids == sorted(ids)
    with database.transaction() as db:
        assert db.scalar(select(table.c.v).where(table.c.id == ids[-1])) == "r249"
    for _ in range(250):
        writer.add(table, {"v": "more"})
    writer.flush()
    assert writer.written == 250 and writer.batches == 3 + 3
    with database.transaction() as db:
        assert db.scalar(select(func.count()).select_from(table)) == 500
    database.dispose()


def test_other_writers_get_in_while_a_large_import_runs(tmp_path: Path) -> None:
    """A vote-sized write waits for at most a batch, not for the whole import."""
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    metadata, table = _table()
    metadata.create_all(database.engine)
    writer = BatchWriter(database, batch_rows=2000)
    done = threading.Event()

    def import_many() -> None:
        for i in range(60_000):
            writer.add(table, {"v": f"import {i}"})
        writer.flush()
        done.set()

    worker = threading.Thread(target=import_many)
    worker.start()
    other = Database(database.url)
    landed_during_import = 0
    while not done.is_set():
        with other.transaction() as db:
            db.execute(table.insert().values(v="vote"))
        if not done.is_set():
            landed_during_import += 1
        time.sleep(0.01)
    worker.join()
    assert writer.batches == 30
    assert landed_during_import >= 5  # the import did not keep the lock to itself
    other.dispose()
    database.dispose()
