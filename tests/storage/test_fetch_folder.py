"""Fetch New Data from folder sources: new files only, one broken source never sinks the others."""

import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.storage.engine import create_sessionmaker
from app.storage.sources import item_states
from producers.launch import NO_SOURCES
from schemas.runs import RunStatus
from tests.storage.fetching import FetchHarness, fetch_harness

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""Both databases for the main paths; the rest is the same logic and runs on SQLite only."""
FIRST, SECOND, THIRD = (
    "pypdf/crazyones.pdf",
    "pdfplumber/hello_structure.pdf",
    "pdfplumber/issue-140-example.pdf",
)


@pytest.fixture
async def harness(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[FetchHarness]:
    """Fetch New Data over the migrated database of this test."""
    async with fetch_harness(create_sessionmaker(engine), tmp_path / "data") as running:
        yield running


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """An empty folder to fetch from."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def drop(corpus: Path, name: str, folder: Path, as_name: str | None = None) -> Path:
    """Copy a corpus PDF into the folder."""
    target = folder / (as_name or Path(name).name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(corpus / name, target)
    return target


async def test_a_folder_is_fetched_for_new_files_only(
    harness: FetchHarness, inbox: Path, corpus: Path
) -> None:
    drop(corpus, FIRST, inbox)
    drop(corpus, SECOND, inbox)
    (inbox / "notes.txt").write_text("not matched by *.pdf")
    source_id = await harness.add_source(name="inbox", kind="folder", path=str(inbox))

    first = await harness.run()
    assert (first.status, first.total) == (RunStatus.RUNNING, 2)  # both queued for the pipeline
    assert sorted(event.filename or "" for event in harness.published_for(first)) == [
        "crazyones.pdf",
        "hello_structure.pdf",
    ]
    assert {event.source for event in harness.published_for(first)} == {"inbox"}

    unchanged = await harness.run()
    assert (unchanged.status, unchanged.success, unchanged.total) == (RunStatus.COMPLETED, True, 0)
    assert harness.published_for(unchanged) == []

    drop(corpus, THIRD, inbox)
    third = await harness.run()
    assert third.total == 1
    assert [event.filename for event in harness.published_for(third)] == ["issue-140-example.pdf"]
    source = await harness.source(source_id)
    assert source.last_error is None and source.last_fetched_at is not None


@SQLITE_ONLY
async def test_the_pattern_and_recursive_flag_choose_the_files(
    harness: FetchHarness, inbox: Path, corpus: Path
) -> None:
    drop(corpus, FIRST, inbox, "2024/jan/report.PDF")
    drop(corpus, SECOND, inbox, "invoice-7.pdf")
    drop(corpus, THIRD, inbox, "summary.pdf")
    drop(corpus, THIRD, inbox, ".partial/upload.pdf")  # hidden: a copy in progress
    await harness.add_source(name="invoices", kind="folder", path=str(inbox), pattern="INVOICE-*")

    flat = await harness.run()
    assert [(e.source, e.filename) for e in harness.published_for(flat)] == [("invoices", "invoice-7.pdf")]

    await harness.add_source(name="everything", kind="folder", path=str(inbox), recursive=True)
    deep = await harness.run()
    assert sorted((e.source, e.filename) for e in harness.published_for(deep)) == [
        ("everything", "report.PDF"),
        ("everything", "summary.pdf"),
    ]  # invoice-7.pdf is a document already


@SQLITE_ONLY
async def test_content_that_is_already_a_document_is_no_new_work(
    harness: FetchHarness, inbox: Path, corpus: Path
) -> None:
    copy = drop(corpus, FIRST, inbox)
    await harness.add_source(name="inbox", kind="folder", path=str(inbox))
    assert (await harness.run()).total == 1

    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 10**9))  # touched, same bytes
    drop(corpus, FIRST, inbox, "copy of crazyones.pdf")
    run = await harness.run()

    assert (run.status, run.total) == (RunStatus.COMPLETED, 0)
    assert harness.published_for(run) == []


@SQLITE_ONLY
async def test_a_touched_file_is_hashed_once_then_remembered(
    harness: FetchHarness, inbox: Path, corpus: Path, engine: AsyncEngine
) -> None:
    copy = drop(corpus, FIRST, inbox)
    source_id = await harness.add_source(name="inbox", kind="folder", path=str(inbox))
    await harness.run()
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 10**9))

    await harness.run()

    async with create_sessionmaker(engine)() as session:
        [state] = (await item_states(session, source_id)).values()
    assert (state.locator, state.mtime_ns, state.size_bytes) == (
        "crazyones.pdf",
        copy.stat().st_mtime_ns,
        copy.stat().st_size,
    )
    assert state.sha256 == hashlib.sha256(copy.read_bytes()).hexdigest()


async def test_a_missing_folder_does_not_sink_the_other_sources(
    harness: FetchHarness, inbox: Path, corpus: Path, tmp_path: Path
) -> None:
    drop(corpus, FIRST, inbox)
    gone = tmp_path / "gone"
    gone.mkdir()
    good = await harness.add_source(name="inbox", kind="folder", path=str(inbox))
    bad = await harness.add_source(name="old share", kind="folder", path=str(gone))
    gone.rmdir()

    run = await harness.run()

    assert (run.status, run.total) == (RunStatus.RUNNING, 1)  # the good source's document is on its way
    assert run.message == f"Source 'old share': The folder {gone} does not exist on the server."
    assert (await harness.source(bad)).last_error == f"The folder {gone} does not exist on the server."
    assert (await harness.source(good)).last_error is None


@SQLITE_ONLY
async def test_a_run_with_nothing_new_and_a_broken_source_completes_unsuccessfully(
    harness: FetchHarness, inbox: Path, tmp_path: Path
) -> None:
    await harness.add_source(name="inbox", kind="folder", path=str(inbox))
    await harness.add_source(name="old share", kind="folder", path=str(tmp_path / "gone"))

    run = await harness.run()

    assert (run.status, run.success, run.total) == (RunStatus.COMPLETED, False, 0)
    assert run.message == f"Source 'old share': The folder {tmp_path / 'gone'} does not exist on the server."


@SQLITE_ONLY
async def test_a_run_whose_every_source_failed_fails_with_the_reasons(
    harness: FetchHarness, tmp_path: Path
) -> None:
    await harness.add_source(name="nowhere", kind="folder", path=str(tmp_path / "nowhere"))

    run = await harness.run()

    assert (run.status, run.success) == (RunStatus.FAILED, False)
    assert run.message == f"Source 'nowhere': The folder {tmp_path / 'nowhere'} does not exist on the server."


@SQLITE_ONLY
async def test_a_file_over_the_size_cap_is_an_error_of_that_file(
    engine: AsyncEngine, inbox: Path, corpus: Path, tmp_path: Path
) -> None:
    big = drop(corpus, FIRST, inbox)
    small = drop(corpus, SECOND, inbox)
    cap = (big.stat().st_size + small.stat().st_size) // 2
    assert small.stat().st_size <= cap < big.stat().st_size
    async with fetch_harness(create_sessionmaker(engine), tmp_path / "data", max_bytes=cap) as harness:
        source_id = await harness.add_source(name="inbox", kind="folder", path=str(inbox))
        run = await harness.run()

    assert run.total == 1
    size = big.stat().st_size
    expected = f"crazyones.pdf is {size} bytes, over the {cap} byte limit (HEADWATER_MAX_UPLOAD_BYTES)."
    assert (await harness.source(source_id)).last_error == f"1 of 2 files failed: {expected}"
    assert run.message == f"Source 'inbox': 1 of 2 files failed: {expected}"


@SQLITE_ONLY
async def test_without_an_enabled_source_the_run_fails_with_no_sources(
    harness: FetchHarness, inbox: Path
) -> None:
    await harness.add_source(name="paused", kind="folder", path=str(inbox), enabled=False)

    run = await harness.run()

    assert (run.status, run.message) == (RunStatus.FAILED, NO_SOURCES)
