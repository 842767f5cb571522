"""Browser tests: one Headwater for the whole session, Debian's Chromium driven by Playwright.

Fixtures:
- `headwater`: the running service (real broker, real HTTP port); `headwater.client` is an admin API client.
- `base_url`: where it answers, e.g. "http://127.0.0.1:43125".
- `admin_page`, `operator_page`, `viewer_page`: a fresh tab of a browser that logged in through the
  form as that role (one login per role per session); `anonymous_page`: a tab with no session.
- `shoot(page, name)`: save a screenshot to tests/browser/artifacts/<test>-<name>.png. Every tab
  handed out is also photographed when its test ends, and must have logged no console error
  (a CSP violation is one).
- `slow_documents`: six stored, never-processed dense PDFs: a Full Pipeline run over them lasts
  long enough to be stopped.
"""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from app.storage.documents import register_document
from schemas.auth import Role
from tests.e2e.harness import Service, isolated_settings, running_service
from tests.synthetic import dense_text_pdf

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "browser-tests-password"
USERS = {role: f"browser-{role.value}" for role in Role}

Shoot = Callable[[Page, str], Awaitable[Path]]


@pytest.fixture(scope="package")
async def headwater(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    """One Headwater (every stage, SQLite) for the browser tests, a user of each role; stopped after them."""
    directory = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite+aiosqlite:///{directory / 'headwater.db'}"
    async with running_service(
        isolated_settings(kafka_bootstrap, directory / "data", database_url)
    ) as service:
        for role, name in USERS.items():
            response = await service.client.post(
                "/api/v1/users", json={"name": name, "role": role.value, "password": PASSWORD}
            )
            assert response.status_code == 201, response.text
        yield service


@pytest.fixture(scope="package")
def base_url(headwater: Service) -> str:
    """The service's address, without a trailing slash."""
    return str(headwater.client.base_url).rstrip("/")


@pytest.fixture(scope="package")
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (Playwright never downloads a browser here)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browsers` installs it (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


async def log_in_through_form(page: Page, base_url: str, name: str, password: str = PASSWORD) -> None:
    """Open the login form, fill it in and submit it, as a person would."""
    await page.goto(f"{base_url}/login")
    await submit_login_form(page, name, password)


async def submit_login_form(page: Page, name: str, password: str = PASSWORD) -> None:
    """Fill in the login form the page shows and submit it; wait until the browser has left it."""
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(lambda url: "/login" not in url, wait_until="commit")


@pytest.fixture(scope="package")
async def role_contexts(chromium: Browser, base_url: str) -> AsyncIterator[dict[Role, BrowserContext]]:
    """A browser context per role, logged in through the form once."""
    contexts = {}
    for role, name in USERS.items():
        context = await chromium.new_context(viewport=VIEWPORT, base_url=base_url)
        page = await context.new_page()
        await log_in_through_form(page, base_url, name)
        await page.close()
        contexts[role] = context
    yield contexts
    for context in contexts.values():
        await context.close()


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Shoot:
    """`await shoot(page, "name")` saves a full-page screenshot under tests/browser/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)

    async def screenshot(page: Page, name: str) -> Path:
        path = ARTIFACTS / f"{prefix}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot


class Tabs:
    """The tabs a test opened: photographed at its end, and checked for console errors."""

    def __init__(self, shoot: Shoot) -> None:
        self.shoot = shoot
        self.opened: list[tuple[Page, list[str]]] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Console errors matching `pattern` are expected (e.g. a refused request the test makes)."""
        self.allowed.append(re.compile(pattern))

    async def open(self, context: BrowserContext) -> Page:
        """A new tab of `context`, recording its console errors and uncaught exceptions."""
        page = await context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        self.opened.append((page, errors))
        return page

    async def close(self) -> list[str]:
        """Photograph and close every tab; return what they logged as errors."""
        logged = []
        for number, (page, errors) in enumerate(self.opened):
            if not page.is_closed():
                await self.shoot(page, f"end-{number}")
                await page.close()
            logged += [error for error in errors if not any(p.search(error) for p in self.allowed)]
        return logged


@pytest.fixture
async def tabs(shoot: Shoot) -> AsyncIterator[Tabs]:
    """The test's tabs; the test fails if any of them logged a console error."""
    opened = Tabs(shoot)
    yield opened
    errors = await opened.close()
    assert errors == [], f"the pages logged errors: {errors}"


@pytest.fixture
async def admin_page(role_contexts: dict[Role, BrowserContext], tabs: Tabs) -> Page:
    """A tab logged in as an admin."""
    return await tabs.open(role_contexts[Role.ADMIN])


@pytest.fixture
async def operator_page(role_contexts: dict[Role, BrowserContext], tabs: Tabs) -> Page:
    """A tab logged in as an operator."""
    return await tabs.open(role_contexts[Role.OPERATOR])


@pytest.fixture
async def viewer_page(role_contexts: dict[Role, BrowserContext], tabs: Tabs) -> Page:
    """A tab logged in as a viewer."""
    return await tabs.open(role_contexts[Role.VIEWER])


@pytest.fixture
async def anonymous_page(chromium: Browser, base_url: str, tabs: Tabs) -> AsyncIterator[Page]:
    """A tab of a browser that never logged in."""
    context = await chromium.new_context(viewport=VIEWPORT, base_url=base_url)
    page = await tabs.open(context)
    yield page
    await tabs.close()
    await context.close()


@pytest.fixture(scope="package")
async def slow_documents(headwater: Service, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Six dense 20-page PDFs in the store, never processed (as after an import): their ids."""
    directory = tmp_path_factory.mktemp("slow")
    doc_ids = []
    for seed in range(6):
        blob = headwater.core.blobs.put_file(
            dense_text_pdf(directory / f"dense-{seed}.pdf", pages=20, seed=seed)
        )
        async with headwater.core.sessions.begin() as session:
            await register_document(
                session,
                doc_id=blob.sha256,
                filename=f"dense-{seed}.pdf",
                source="import",
                size_bytes=blob.size_bytes,
                run_id=None,
            )
        doc_ids.append(blob.sha256)
    return doc_ids


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests' screenshots are."""
    if ARTIFACTS.is_dir() and any(ARTIFACTS.glob("*.png")):
        terminalreporter.write_line(f"Browser test screenshots: {ARTIFACTS}")
