"""The Admin pages in a real browser: admins only; users, tokens, models, schedules, audit."""

import re

import pytest
from playwright.async_api import Page, expect

from schemas.models import ModelInfo
from tests.browser.conftest import Shoot, Tabs
from tests.e2e.harness import Service
from tests.storage.trained import anomaly_model

pytestmark = [pytest.mark.broker, pytest.mark.slow]

TOKEN_SHAPE = re.compile(r"^\S{32,}$")
"""What a token secret looks like: one long word."""
ADMIN_SECTIONS = ("users", "tokens", "sources", "schedules", "models", "audit")


@pytest.fixture(scope="module")
async def model(headwater: Service) -> ModelInfo:
    """An inactive anomaly model of a dataset nobody sends records to."""
    return await anomaly_model(headwater.core.sessions, headwater.core.blobs, seed=11, scope="browser-admin")


async def test_an_admin_creates_a_token_sees_its_secret_once_and_revokes_it(
    admin_page: Page, headwater: Service, shoot: Shoot
) -> None:
    await admin_page.goto("/admin/tokens")
    await admin_page.get_by_label("User").select_option("browser-viewer")
    await admin_page.get_by_label("Label").fill("from-the-browser")
    await admin_page.get_by_role("button", name="Create token").click()

    secret = admin_page.locator("#token-secret code")
    await expect(secret).to_have_text(TOKEN_SHAPE)
    token = await secret.text_content()
    assert token
    answer = await headwater.client.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert answer.json()["name"] == "browser-viewer"
    row = admin_page.locator("table.tokens-table tbody tr", has_text="from-the-browser")
    await expect(row).to_contain_text("active")
    await shoot(admin_page, "token-created")

    admin_page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Revoke").click()

    await expect(row).to_contain_text("revoked")
    refused = await headwater.client.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


async def test_an_admin_activates_a_model(admin_page: Page, model: ModelInfo, shoot: Shoot) -> None:
    await admin_page.goto("/admin/models")
    row = admin_page.locator(f'tr[data-model="{model.id}"]')
    await expect(row).to_contain_text("inactive")

    await row.get_by_role("button", name="Activate").click()

    await expect(row.locator(".badge-active")).to_have_text("active")
    await expect(row.get_by_role("button", name="Activate")).to_have_count(0)
    await shoot(admin_page, "models")


async def test_an_admin_creates_a_user_changes_the_role_and_disables_the_account(
    admin_page: Page, shoot: Shoot
) -> None:
    await admin_page.goto("/admin/users")
    await admin_page.get_by_label("Name", exact=True).fill("browser-newcomer")
    await admin_page.get_by_label("Role", exact=True).select_option("viewer")
    await admin_page.get_by_label("Password").fill("a long enough password")
    await admin_page.get_by_role("button", name="Create user").click()

    row = admin_page.locator('tr[data-user="browser-newcomer"]')
    await expect(row).to_be_visible()
    await row.get_by_label("Role of browser-newcomer").select_option("operator")
    await row.get_by_role("button", name="Change role").click()
    changed = admin_page.locator(".toast-success", has_text="Role of browser-newcomer changed")
    await expect(changed).to_be_visible()
    await expect(row.get_by_label("Role of browser-newcomer")).to_have_value("operator")
    admin_page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Disable").click()
    await expect(row).to_contain_text("disabled")
    await shoot(admin_page, "users")


async def test_an_admin_schedules_a_task_and_reads_the_cron_in_words(admin_page: Page, shoot: Shoot) -> None:
    await admin_page.goto("/admin/schedules")
    await admin_page.get_by_label("Task").select_option("clean-pdf")
    await admin_page.get_by_label("Cron").fill("30 2 * * 1-5")
    await admin_page.get_by_role("button", name="Save schedule").click()

    row = admin_page.locator("table.schedules-table tbody tr", has_text="clean-pdf")
    await expect(row.locator(".cron-preview")).not_to_be_empty()
    await row.get_by_role("button", name="Pause").click()
    await expect(row).to_contain_text("paused")
    await shoot(admin_page, "schedules")
    admin_page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Remove").click()
    await expect(admin_page.locator("table.schedules-table tbody tr", has_text="clean-pdf")).to_have_count(0)


async def test_every_admin_section_renders(admin_page: Page, shoot: Shoot) -> None:
    for section in ADMIN_SECTIONS:
        response = await admin_page.goto(f"/admin/{section}")
        assert response is not None and response.status == 200
        await expect(admin_page.locator("nav.subnav [aria-current=page]")).to_be_visible()
        await shoot(admin_page, section)
    await expect(admin_page.locator("table.audit-table")).to_contain_text("/api/v1/tokens")


async def test_an_operator_is_refused_the_admin_pages(operator_page: Page, tabs: Tabs) -> None:
    tabs.allow("403")
    await operator_page.goto("/tasks")
    await expect(operator_page.get_by_role("link", name="Admin")).to_have_count(0)

    response = await operator_page.goto("/admin")

    assert response is not None and response.status == 403
