"""The data pages in a real browser: overview charts, documents, datasets, dead letters, by role."""

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Shoot, Tabs
from tests.browser.seeds import DATASET, REPORT, REPORT_TEXT, Seeded, seed_pages_data
from tests.e2e.harness import Service

pytestmark = [pytest.mark.broker, pytest.mark.slow]


@pytest.fixture(scope="module")
async def seeded(headwater: Service) -> Seeded:
    """The documents, records, dead letters and model these tests look at."""
    return await seed_pages_data(headwater)


async def test_the_overview_draws_its_charts(viewer_page: Page, seeded: Seeded, shoot: Shoot) -> None:
    await viewer_page.goto("/")

    await expect(viewer_page.locator("body[data-overview-loaded]")).to_be_attached()
    await expect(viewer_page.get_by_role("heading", name="Overview")).to_be_visible()
    for chart in ("documents", "records", "failures", "pages", "queue", "status"):
        canvas = viewer_page.locator(f"#chart-{chart}")
        await expect(canvas).to_be_visible()
        assert (await canvas.bounding_box() or {"height": 0})["height"] > 100
    await expect(viewer_page.locator('[data-stat="open_dead_letters"]')).not_to_have_text("—")
    await viewer_page.get_by_label("Show").select_option("day")
    await expect(viewer_page.locator("body[data-overview-loaded=day]")).to_be_attached()
    await shoot(viewer_page, "overview")


async def test_documents_are_filtered_and_one_opens_with_its_text_tables_and_predictions(
    viewer_page: Page, seeded: Seeded, shoot: Shoot
) -> None:
    await viewer_page.goto("/documents")
    await viewer_page.get_by_label("Name").fill("quarterly")
    await viewer_page.get_by_label("Label").select_option("report")
    await viewer_page.get_by_role("button", name="Filter").click()

    rows = viewer_page.locator("table.documents-table tbody tr")
    await expect(rows).to_have_count(1)
    await shoot(viewer_page, "documents")
    await rows.get_by_role("link", name=REPORT).click()

    await expect(viewer_page.get_by_role("heading", name=REPORT)).to_be_visible()
    await expect(viewer_page.locator(".page-text").first).to_have_text(REPORT_TEXT)
    csv = viewer_page.get_by_role("link", name="Download CSV")
    await expect(csv).to_have_attribute("href", f"/api/v1/documents/{seeded.doc_id}/tables/0.csv")
    await expect(viewer_page.locator(".predictions-table")).to_contain_text("c1a55f1ec1a5")
    await expect(viewer_page.get_by_text("browser", exact=True)).to_be_visible()
    await shoot(viewer_page, "document")


async def test_a_dataset_charts_a_column_with_its_anomalies_and_offers_exports(
    viewer_page: Page, seeded: Seeded, shoot: Shoot
) -> None:
    await viewer_page.goto("/datasets")
    await viewer_page.get_by_role("link", name=DATASET).click()

    canvas = viewer_page.locator("#chart-series")
    await expect(viewer_page.get_by_label("Column", exact=True)).to_have_value("amount")
    await expect(canvas).to_have_attribute("data-points", "40")
    await expect(viewer_page.locator("#series-summary")).to_contain_text("4 anomalies")
    for label, fmt in (("CSV", "csv"), ("JSON lines", "jsonl"), ("Parquet", "parquet")):
        link = viewer_page.get_by_role("link", name=label, exact=True)
        await expect(link).to_have_attribute("href", f"/api/v1/datasets/{DATASET}/export?format={fmt}")
    await viewer_page.get_by_label("Anomalies", exact=True).select_option("yes")
    await viewer_page.get_by_role("button", name="Filter").click()
    await expect(viewer_page.locator("table.records-table tbody tr")).to_have_count(4)
    await expect(canvas).to_have_attribute("data-points", "40")
    await shoot(viewer_page, "dataset")


async def test_an_operator_retries_one_dead_letter_and_discards_another(
    operator_page: Page, seeded: Seeded, shoot: Shoot
) -> None:
    await operator_page.goto("/dead-letters")
    retried = operator_page.locator(f'tr[data-letter="{seeded.record_letter}"]')
    discarded = operator_page.locator(f'tr[data-letter="{seeded.event_letter}"]')
    await expect(discarded).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    await shoot(operator_page, "dead-letters")

    await retried.get_by_role("button", name="Retry").click()
    await expect(retried.locator(".badge-retried")).to_have_text("retried")
    await discarded.get_by_role("button", name="Discard").click()
    await expect(discarded.locator(".badge-discarded")).to_have_text("discarded")
    await expect(discarded).to_contain_text("by browser-operator")
    await expect(operator_page.locator(".toast-success").first).to_be_visible()
    await shoot(operator_page, "dead-letters-acted")


async def test_a_viewer_sees_no_operator_or_admin_controls(
    viewer_page: Page, seeded: Seeded, shoot: Shoot, tabs: Tabs
) -> None:
    tabs.allow("403")
    await viewer_page.goto("/dead-letters")
    await expect(viewer_page.locator("table.dead-letters-table")).to_be_visible()
    await expect(viewer_page.get_by_role("button", name="Retry")).to_have_count(0)
    await expect(viewer_page.get_by_role("button", name="Discard")).to_have_count(0)
    await expect(viewer_page.get_by_role("link", name="Admin")).to_have_count(0)

    response = await viewer_page.goto("/admin/users")

    assert response is not None and response.status == 403
    await expect(viewer_page.get_by_role("heading", name="Not allowed")).to_be_visible()
    await shoot(viewer_page, "admin-refused")
