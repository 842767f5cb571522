"""The dashboard in a real browser: log in, upload, watch a run live, start and stop tasks, roles."""

import asyncio
import base64
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from schemas.auth import Role
from tests.browser.conftest import USERS, Shoot, Tabs, submit_login_form
from tests.e2e.harness import Service

pytestmark = [pytest.mark.broker, pytest.mark.slow]

UPLOADS = ["pypdf/crazyones.pdf", "pdfplumber/hello_structure.pdf"]
DROPPED = "pdfplumber/issue-140-example.pdf"
ALL_PROCESSED = re.compile(r"— (\d+)/\1 files processed")
SYNTHETIC_DROP = """([name, base64]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
}"""


async def settled(headwater: Service, run_id: str) -> dict[str, Any]:
    """The run once every one of its documents is accounted for (skipped ones included)."""
    async with asyncio.timeout(15):
        while True:
            run: dict[str, Any] = (await headwater.client.get(f"/api/v1/runs/{run_id}")).json()["run"]
            counts = run["counts"]
            if counts["done"] + counts["failed"] + counts["skipped"] == counts["total"]:
                return run
            await asyncio.sleep(0.2)


async def test_an_anonymous_visit_goes_to_the_login_form_and_back_after_logging_in(
    anonymous_page: Page, base_url: str, shoot: Shoot
) -> None:
    await anonymous_page.goto("/tasks")
    await expect(anonymous_page).to_have_url(f"{base_url}/login?next=/tasks")
    await shoot(anonymous_page, "login")

    await submit_login_form(anonymous_page, USERS[Role.ADMIN])

    await expect(anonymous_page).to_have_url(f"{base_url}/tasks")
    await expect(anonymous_page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()
    await expect(anonymous_page.locator(".user-name")).to_have_text(USERS[Role.ADMIN])
    await expect(anonymous_page.get_by_role("link", name="Admin")).to_be_visible()


async def test_pdfs_uploaded_by_file_input_and_by_drop_are_followed_to_the_end_of_live_ingestion(
    operator_page: Page, corpus: Path, shoot: Shoot
) -> None:
    await operator_page.goto("/tasks")
    await operator_page.get_by_label("PDF files to upload").set_input_files(
        [corpus / name for name in UPLOADS]
    )
    dropped = base64.b64encode((corpus / DROPPED).read_bytes()).decode()
    await operator_page.evaluate(SYNTHETIC_DROP, [Path(DROPPED).name, dropped])

    uploads = operator_page.locator("#upload-list li")
    await expect(uploads).to_have_count(3)
    await expect(operator_page.locator('#upload-list li[data-state="uploaded"]')).to_have_count(3)
    await shoot(operator_page, "uploaded")
    await uploads.first.get_by_role("link", name="follow live ingestion").click()

    bar = operator_page.get_by_role("progressbar")
    await expect(bar).to_have_attribute("aria-valuenow", "100", timeout=30_000)
    await expect(operator_page.locator("#run-summary")).to_have_text(ALL_PROCESSED)
    await expect(operator_page.locator("#connection")).to_have_text("live")
    documents = operator_page.locator("#run-documents tbody tr")
    await expect(documents).to_have_count(3, timeout=5_000)
    await expect(operator_page.locator("#run-documents .badge-done")).to_have_count(3)
    await shoot(operator_page, "live-ingestion")


async def test_a_run_started_from_the_table_is_watched_live_to_completion(
    operator_page: Page, headwater: Service, shoot: Shoot
) -> None:
    await operator_page.goto("/tasks")
    await operator_page.get_by_role("button", name="Run Clean PDF").click()
    follow = operator_page.locator("#toasts").get_by_role("link", name="Follow it")
    await follow.click()

    await expect(operator_page.locator("#run-status .badge")).to_have_text("completed", timeout=30_000)
    await expect(operator_page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    summary = operator_page.locator("#run-summary")
    await expect(summary).to_have_text(re.compile(r"— completed, (\d+)/\1 files processed, 0 failed"))
    run_id = operator_page.url.rsplit("/", 1)[1]
    detail = (await headwater.client.get(f"/api/v1/runs/{run_id}")).json()
    assert detail["run"]["status"] == "completed"
    await expect(operator_page.locator("#run-documents .badge-done")).to_have_count(detail["documents_total"])
    await expect(operator_page.locator("#run-stop")).to_be_hidden()
    await shoot(operator_page, "completed")


async def test_the_user_who_started_a_run_is_notified_when_it_completes(
    operator_page: Page, shoot: Shoot
) -> None:
    await operator_page.goto("/tasks")
    await operator_page.get_by_role("button", name="Run Clean PDF").click()

    notification = operator_page.locator(".toast-success", has_text="Clean PDF completed")
    await expect(notification).to_be_visible(timeout=30_000)
    await shoot(operator_page, "notified")
    await notification.get_by_role("link", name="View run").click()
    await expect(operator_page.locator("#run-status .badge")).to_have_text("completed")


async def test_a_running_task_is_stopped_from_the_table_and_ends_cancelled(
    operator_page: Page, headwater: Service, slow_documents: list[str], shoot: Shoot
) -> None:
    await operator_page.goto("/tasks")
    row = operator_page.locator("#task-full-pipeline")
    await row.get_by_role("button", name="Run Full Pipeline").click()
    stop = row.get_by_role("button", name="Stop Full Pipeline")
    await expect(stop).to_be_visible(timeout=10_000)
    await expect(row.locator(".summary")).to_contain_text(re.compile(r"— \d+/[1-9]\d* files processed"))
    await shoot(operator_page, "running")
    run_id = await stop.get_attribute("data-run")
    assert run_id is not None

    await stop.click()

    await expect(row.locator(".badge")).to_have_text("cancelled", timeout=15_000)
    await expect(row.get_by_role("button", name="Run Full Pipeline")).to_be_visible()
    run = await settled(headwater, run_id)
    assert run["status"] == "cancelled"
    assert run["counts"]["skipped"] >= len(slow_documents) // 2, "most of the slow documents never ran"
    await shoot(operator_page, "cancelled")


async def test_a_viewer_sees_no_controls_and_a_direct_post_is_refused(
    viewer_page: Page, tabs: Tabs, shoot: Shoot
) -> None:
    tabs.allow("status of 403")  # the refused POST below
    await viewer_page.goto("/tasks")
    await expect(viewer_page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()

    await expect(viewer_page.locator("button[data-action]")).to_have_count(0)
    await expect(viewer_page.locator("#dropzone")).to_have_count(0)
    await expect(viewer_page.get_by_role("link", name="Admin")).to_have_count(0)
    status = await viewer_page.evaluate(
        """async () => {
          const { api } = await import("/static/js/api.js");
          try { await api("/api/v1/tasks/full-pipeline/runs", {method: "POST", json: {documents: "all"}}); }
          catch (error) { return error.status; }
          return 0;
        }"""
    )
    assert status == 403
    await shoot(viewer_page, "tasks")

    await viewer_page.get_by_role("link", name="Runs", exact=True).click()
    history = viewer_page.locator("#run-history tbody tr")
    await expect(history.filter(has_text="Full Pipeline").locator(".badge")).to_have_text("cancelled")
    await expect(history.filter(has_text="Clean PDF").first.locator(".badge")).to_have_text("completed")
    await shoot(viewer_page, "runs")
