"""In-flight extraction stops between pages when its stop flag appears, across the process boundary."""

import asyncio
import time
from pathlib import Path

import pytest

from app.errors import ShuttingDown
from app.pdf.extract import ExtractionCancelled
from app.pipeline.extractor import Extractor
from tests.synthetic import dense_text_pdf

PAGES = 40


async def test_a_cancelled_extraction_stops_before_the_next_page(tmp_path: Path) -> None:
    pdf = dense_text_pdf(tmp_path / "long.pdf", pages=PAGES, seed=1)
    stop = tmp_path / "stop"
    extractor = Extractor(workers=1, timeout_seconds=120)
    await extractor.warm_up()
    try:
        extraction = asyncio.create_task(extractor.extract(pdf, tmp_path / "out.json", stop))
        await asyncio.sleep(1.0)
        stop.touch()
        stopped_at = time.monotonic()
        with pytest.raises(ExtractionCancelled, match=r"before page (\d+)") as cancelled:
            await extraction
        waited = time.monotonic() - stopped_at
    finally:
        extractor.close()

    page = int(cancelled.value.args[0].split("before page ")[1].rstrip("."))
    assert 1 < page < PAGES, "it stopped midway, between two pages"
    assert waited < 2, "it stopped at the next page, not at the end of the document"
    assert not (tmp_path / "out.json").exists()


async def test_an_extraction_without_a_stop_flag_runs_to_the_end(tmp_path: Path) -> None:
    pdf = dense_text_pdf(tmp_path / "short.pdf", pages=2, seed=2)
    extractor = Extractor(workers=1, timeout_seconds=120)
    try:
        summary = await extractor.extract(pdf, tmp_path / "out.json", tmp_path / "never-created")
    finally:
        extractor.close()

    assert summary.page_count == 2


async def test_extractions_asked_for_while_or_after_the_pool_closes_are_abandoned_not_failed(
    tmp_path: Path,
) -> None:
    pdf = dense_text_pdf(tmp_path / "late.pdf", pages=2, seed=3)
    extractor = Extractor(workers=1, timeout_seconds=120)
    await extractor.warm_up()
    closing = asyncio.create_task(asyncio.to_thread(extractor.close))
    await asyncio.sleep(0)  # close() is under way in its thread

    with pytest.raises(ShuttingDown):
        await extractor.extract(pdf, tmp_path / "during.json")
    await closing
    with pytest.raises(ShuttingDown):
        await extractor.extract(pdf, tmp_path / "after.json")
    assert extractor._pool is None, "no new pool of processes was started after close()"
