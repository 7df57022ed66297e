"""Dialogue pages through HTTP (no browser): facilitators, participants and observers."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import WebClient, create_account, make_client
from tests.harness.data import require_polis_data
from tracktwo.parts import job_handlers
from tracktwo.parts.dialogues.opinion import read_polis_export
from tracktwo.store.platform import Platform
from tracktwo.store.worker import Worker


@pytest.fixture
def facilitator(web: WebClient, sqlite_platform: Platform) -> WebClient:
    create_account(sqlite_platform, "fac@example.org", "Facilitator")
    web.login("fac@example.org")
    web.submit(
        "/initiatives",
        {
            "name": "Kelmar",
            "side_id": ["", ""],
            "side_name": ["Hill", "Harbour"],
            "side_colour": ["#0072b2", "#d55e00"],
            "languages": ["en", "ar"],
        },
    )
    return web


def _new_dialogue(web: WebClient, **extra: object) -> str:
    response = web.submit(
        "/initiatives/1/dialogues",
        {
            "topic": "Water",
            "prompt": "What next?",
            "allow_statements": "on",
            "moderation": "strict",
            "statement_limit": "3",
            "max_length": "280",
            "prioritize_seed": "on",
            "seeds": "The spring belongs to everyone.\nLeaking pipes come first.\n\n",
            **extra,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _links(web: WebClient, location: str) -> dict[str, str]:
    page = web.get(location).text
    found = re.findall(
        r"<td>([^<]+)</td>\s*<td><code[^>]*>http://127\.0\.0\.1:8000(/j/[\w-]+)</code>", page
    )
    return {name.strip(): path for name, path in found}


def test_facilitator_creates_and_opens_a_dialogue(facilitator: WebClient) -> None:
    location = _new_dialogue(facilitator)
    page = facilitator.get(location).text
    assert "draft" in page and "The links work once the dialogue is open." in page
    links = _links(facilitator, location)
    assert set(links) == {"Everyone (side chosen on joining)", "Hill", "Harbour"}
    opened = facilitator.submit(location + "/state", {"state": "open"})
    assert "The dialogue is now open." in opened.text
    dashboard = facilitator.get("/initiatives/1").text
    assert "Water" in dashboard and "Import from Polis" in dashboard


def test_bad_dialogue_settings_keep_the_form(facilitator: WebClient) -> None:
    response = facilitator.submit(
        "/initiatives/1/dialogues",
        {"topic": "", "seeds": "A seed I typed.", "statement_limit": "5", "max_length": "280"},
    )
    assert response.status_code == 400
    assert "The topic must not be empty." in response.text and "A seed I typed." in response.text
    long_seed = facilitator.submit(
        "/initiatives/1/dialogues",
        {"topic": "T", "seeds": "ok\n" + "x" * 300, "statement_limit": "5", "max_length": "280"},
    )
    assert (
        long_seed.status_code == 400
        and "Seed statement 2: The statement is too long" in long_seed.text
    )


def test_participant_flow_without_javascript(
    facilitator: WebClient, sqlite_platform: Platform
) -> None:
    location = _new_dialogue(facilitator)
    facilitator.submit(location + "/state", {"state": "open"})
    links = _links(facilitator, location)
    with make_client(sqlite_platform) as phone:
        join_page = phone.get(links["Hill"])
        assert join_page.status_code == 200 and 'value="1" checked' in join_page.text
        refused = phone.submit(links["Hill"], {"language": "en", "side": "1"})
        assert refused.status_code == 400 and "confirm" in refused.text
        welcome = phone.submit(links["Hill"], {"language": "en", "side": "1", "consent": "yes"})
        assert "/r/tp_" in welcome.text  # the private resume link, shown once
        dialogue_path = location.replace("/dialogues/", "/d/")
        page = phone.get(dialogue_path).text
        assert "0 seen, 2 to go" in page
        statement_id = re.search(r'name="statement_id" value="(\d+)"', page)
        key = re.search(r'name="key" value="([\w-]+)"', page)
        assert statement_id and key
        phone.submit(
            dialogue_path + "/vote",
            {"statement_id": statement_id.group(1), "value": "1", "key": key.group(1)},
        )
        assert "1 seen, 1 to go" in phone.get(dialogue_path).text
        bad = phone.submit(
            dialogue_path + "/vote", {"statement_id": statement_id.group(1), "value": "7"}
        )
        assert bad.status_code == 400 and "must be 1 (agree)" in bad.text
        written = phone.submit(
            dialogue_path + "/write", {"text": "<b>Wells</b> need <script>alert(1)</script> fixing"}
        )
        assert written.status_code == 200 and "once a facilitator has read it" in written.text
        too_long = phone.submit(dialogue_path + "/write", {"text": "y" * 300})
        assert too_long.status_code == 400 and "too long" in too_long.text
        assert "y" * 300 in too_long.text  # what they typed is kept
    queue = facilitator.get(location + "/moderation").text
    assert "&lt;b&gt;Wells&lt;/b&gt; need &lt;script&gt;alert(1)&lt;/script&gt; fixing" in queue
    assert "<script>alert(1)</script>" not in queue
    assert "Hill" in queue  # the author's side, never who they are


def test_observers_see_results_but_not_moderation(
    facilitator: WebClient, sqlite_platform: Platform
) -> None:
    location = _new_dialogue(facilitator)
    create_account(sqlite_platform, "envoy@example.org", "Envoy")
    facilitator.submit("/initiatives/1/members", {"email": "envoy@example.org", "role": "observer"})
    with make_client(sqlite_platform) as envoy:
        envoy.login("envoy@example.org")
        assert envoy.get(location + "/results").status_code == 200
        assert envoy.get(location, follow_redirects=False).headers["location"].endswith("/results")
        for page in ("/moderation", "/translations", "/settings", "/export.zip"):
            assert envoy.get(location + page).status_code == 403, page
        assert envoy.submit(location + "/state", {"state": "closed"}).status_code == 403


def test_results_page_shows_groups_and_common_ground(
    facilitator: WebClient, sqlite_platform: Platform
) -> None:
    location = _new_dialogue(facilitator)
    facilitator.submit(location + "/state", {"state": "open"})
    links = _links(facilitator, location)
    dialogue_path = location.replace("/dialogues/", "/d/")
    for index in range(12):
        with make_client(sqlite_platform) as phone:
            side = "Hill" if index % 2 else "Harbour"
            phone.submit(
                links[side],
                {"language": "en", "side": "1" if side == "Hill" else "2", "consent": "yes"},
            )
            for _ in range(2):
                page = phone.get(dialogue_path).text
                statement = re.search(r'name="statement_id" value="(\d+)"', page)
                assert statement
                value = "1" if (side == "Hill" or statement.group(1) == "1") else "-1"
                phone.submit(
                    dialogue_path + "/vote", {"statement_id": statement.group(1), "value": value}
                )
    Worker(sqlite_platform, job_handlers()).drain()
    results = facilitator.get(location + "/results").text
    assert "Common ground across the sides" in results
    assert "<svg" in results and "Opinion map" in results
    assert "Group A" in results
    assert re.search(r"P-[2-9A-Z]{6}", results) is None  # no participant identifier anywhere


def test_translations_page(facilitator: WebClient) -> None:
    location = _new_dialogue(facilitator)
    page = facilitator.get(location + "/translations?language=ar").text
    assert "(2 missing)" in page
    ids = re.findall(r'name="statement_id" value="(\d+)"', page)
    facilitator.submit(
        location + "/translations",
        {"language": "ar", "statement_id": ids, "text": ["النبع ملك للجميع.", ""]},
    )
    assert "(1 missing)" in facilitator.get(location + "/translations?language=ar").text


def test_import_a_polis_export_and_export_it_again(facilitator: WebClient) -> None:
    folder = require_polis_data() / "london.youth.policing"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("votes.csv", "comments.csv", "participants-votes.csv", "summary.csv"):
            archive.write(folder / name, f"london/{name}")
    response = facilitator.post(
        "/initiatives/1/dialogues/import",
        data={"csrf_token": facilitator.csrf},
        files={"archive": ("london.zip", buffer.getvalue(), "application/zip")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    exported = facilitator.get(location + "/export.zip")
    assert exported.headers["content-type"] == "application/zip"
    with (
        zipfile.ZipFile(io.BytesIO(exported.content)) as archive,
        __import__("tempfile").TemporaryDirectory() as tmp,
    ):
        archive.extractall(tmp)
        folder_out = next(Path(tmp).iterdir())
        again = read_polis_export(folder_out)
        original = read_polis_export(folder)
        assert len(again.votes) == len(original.votes)
        assert again.comments is not None and original.comments is not None
        # Statements are one line of text: runs of white space are folded on the way in.
        folded = [" ".join(str(text).split()) for text in original.comments["text"]]
        assert sorted(again.comments["text"]) == sorted(folded)


def test_import_refuses_a_file_that_is_not_a_zip(facilitator: WebClient) -> None:
    response = facilitator.post(
        "/initiatives/1/dialogues/import",
        data={"csrf_token": facilitator.csrf},
        files={"archive": ("x.zip", b"not a zip", "application/zip")},
    )
    assert response.status_code == 400 and "not a .zip file" in response.text


def test_a_participant_sees_where_they_stand(sqlite_platform: Platform) -> None:
    from tests.parts.dialogues.helpers import make_world

    seeds = [f"Statement number {i} about the water." for i in range(8)]
    world = make_world(sqlite_platform, seeds=seeds)
    phones = []
    for index in range(6):
        phone = make_client(sqlite_platform)
        side = "Hill" if index % 2 else "Harbour"
        phone.submit(
            f"/j/{world.links[side]}",
            {"language": "en", "consent": "yes", "side": "1" if side == "Hill" else "2"},
        )
        for _ in range(len(seeds)):
            page = phone.get(f"/d/{world.dialogue_id}").text
            found = re.search(r'name="statement_id" value="(\d+)"', page)
            assert found
            value = "1" if side == "Hill" or int(found.group(1)) % 2 else "-1"
            phone.submit(
                f"/d/{world.dialogue_id}/vote", {"statement_id": found.group(1), "value": value}
            )
        phones.append(phone)
    before = phones[0].get(f"/d/{world.dialogue_id}/map").text
    assert "The map appears once enough people have voted" in before
    Worker(sqlite_platform, job_handlers()).drain()
    page = phones[0].get(f"/d/{world.dialogue_id}")
    assert "Where do I stand?" in page.text
    mapped = phones[0].get(f"/d/{world.dialogue_id}/map").text
    assert "<svg" in mapped and ">You</text>" in mapped
    assert re.search(r"P-[2-9A-Z]{6}", mapped) is None


def test_results_page_suppresses_small_cells(sqlite_platform: Platform) -> None:
    """Two people of one side must not be described: no count, no share, no comparison."""
    from tests.parts.dialogues.helpers import make_world

    world = make_world(sqlite_platform, seeds=[f"Point {i}." for i in range(6)])
    for index in range(10):
        side = "Harbour" if index < 2 else "Hill"
        phone = make_client(sqlite_platform)
        phone.submit(
            f"/j/{world.links[side]}",
            {"language": "en", "consent": "yes", "side": "2" if side == "Harbour" else "1"},
        )
        for _ in range(6):
            page = phone.get(f"/d/{world.dialogue_id}").text
            found = re.search(r'name="statement_id" value="(\d+)"', page)
            assert found
            phone.submit(
                f"/d/{world.dialogue_id}/vote",
                {"statement_id": found.group(1), "value": "1" if index % 3 else "-1"},
            )
    Worker(sqlite_platform, job_handlers()).drain()
    with make_client(sqlite_platform) as staff:
        staff.login("fac@example.org", "a long password")
        page = staff.get(f"/dialogues/{world.dialogue_id}/results").text
    table = page.split('id="sides-table"')[1].split("</table>")[0]
    assert "<td>Harbour</td><td>fewer than 5</td>" in table
    assert "<td>Hill</td><td>8</td>" in table
    bars = re.findall(r'<svg[^>]*class="agreement-bars".*?</svg>', page, re.S)
    assert all("Harbour" not in svg for svg in bars)
