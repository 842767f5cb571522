"""Sources API: admins configure what Fetch New Data fetches; bad settings get a 4xx that says why."""

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from schemas.auth import Role
from tests.web.conftest import as_role

SOURCES = "/api/v1/sources"


def reasons(response: Any) -> str:
    """Every message of an error response (with the field it is about), as one string."""
    body = response.json()
    extra = body.get("extra") or []
    fields = [f"{item.get('key')}: {item.get('message')}" for item in extra]
    return " | ".join([str(body.get("detail", "")), *fields])


async def test_an_admin_adds_a_folder_source_and_viewers_list_it(
    client: AsyncTestClient[Any], tokens: dict[Role, str], tmp_path: Path
) -> None:
    created = await client.post(SOURCES, json={"name": "scans", "kind": "folder", "path": str(tmp_path)})
    assert created.status_code == 201, created.text
    source = created.json()
    assert {k: source[k] for k in ("name", "kind", "enabled", "path", "pattern", "recursive")} == {
        "name": "scans",
        "kind": "folder",
        "enabled": True,
        "path": str(tmp_path),
        "pattern": None,
        "recursive": False,
    }
    assert (source["last_fetched_at"], source["last_error"], source["tracked_items"]) == (None, None, 0)

    listed = await as_role(client, tokens, Role.VIEWER).get(SOURCES)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [source["id"]]
    refused = await client.post(SOURCES, json={"name": "more", "kind": "folder", "path": str(tmp_path)})
    assert refused.status_code == 403


async def test_http_and_index_sources_take_only_http_or_https_urls(client: AsyncTestClient[Any]) -> None:
    ok = await client.post(
        SOURCES, json={"name": "partner", "kind": "http", "urls": ["https://files.example.com/a.pdf"]}
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["urls"] == ["https://files.example.com/a.pdf"]

    bad = await client.post(SOURCES, json={"name": "old", "kind": "index", "url": "ftp://files.example.com/"})
    assert bad.status_code == 400
    assert "URL scheme should be 'http' or 'https'" in reasons(bad)
    local = await client.post(SOURCES, json={"name": "local", "kind": "http", "urls": ["file:///etc/passwd"]})
    assert local.status_code == 400
    assert "URL scheme should be 'http' or 'https'" in reasons(local)


async def test_a_folder_that_does_not_exist_is_refused_with_the_reason(
    client: AsyncTestClient[Any], tmp_path: Path
) -> None:
    missing = tmp_path / "nope"
    response = await client.post(SOURCES, json={"name": "scans", "kind": "folder", "path": str(missing)})
    assert response.status_code == 400
    assert response.json()["detail"] == f"The folder {missing} does not exist on the server."

    a_file = tmp_path / "file.pdf"
    a_file.write_bytes(b"%PDF")
    response = await client.post(SOURCES, json={"name": "scans", "kind": "folder", "path": str(a_file)})
    assert (response.status_code, response.json()["detail"]) == (400, f"{a_file} is not a folder.")


async def test_settings_must_fit_the_kind(client: AsyncTestClient[Any], tmp_path: Path) -> None:
    cases = [
        ({"name": "a", "kind": "folder"}, "a folder source needs `path`"),
        ({"name": "a", "kind": "folder", "path": "data/in"}, "the folder path must be absolute"),
        (
            {"name": "a", "kind": "folder", "path": str(tmp_path), "url": "https://x.example/"},
            "`url` does not",
        ),
        ({"name": "a", "kind": "http", "urls": []}, "at least 1 item"),
        (
            {"name": "a", "kind": "http", "urls": ["https://x.example/a.pdf"], "recursive": True},
            "`recursive`",
        ),
        ({"name": "a", "kind": "index", "url": "https://x.example/", "pattern": "../*.pdf"}, "pattern: "),
        ({"name": "../etc", "kind": "index", "url": "https://x.example/"}, "name: String should match"),
        ({"name": "a", "kind": "ftp", "url": "https://x.example/"}, "'folder', 'http' or 'index'"),
    ]
    for body, expected in cases:
        response = await client.post(SOURCES, json=body)
        assert response.status_code == 400, (body, response.text)
        assert expected in reasons(response), (body, reasons(response))


async def test_names_are_unique(client: AsyncTestClient[Any], tmp_path: Path) -> None:
    body = {"name": "scans", "kind": "folder", "path": str(tmp_path)}
    assert (await client.post(SOURCES, json=body)).status_code == 201
    again = await client.post(SOURCES, json=body)
    assert (again.status_code, again.json()["detail"]) == (409, "a source named 'scans' already exists")


async def test_an_admin_changes_and_removes_a_source(client: AsyncTestClient[Any], tmp_path: Path) -> None:
    created = (
        await client.post(SOURCES, json={"name": "scans", "kind": "folder", "path": str(tmp_path)})
    ).json()
    url = f"{SOURCES}/{created['id']}"

    changed = await client.patch(url, json={"pattern": "*.PDF", "recursive": True, "enabled": False})
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("pattern", "recursive", "enabled")} == {
        "pattern": "*.PDF",
        "recursive": True,
        "enabled": False,
    }
    wrong = await client.patch(url, json={"url": "https://x.example/"})
    assert (wrong.status_code, wrong.json()["detail"]) == (
        400,
        "Invalid source: `url` does not apply to a folder source",
    )
    gone = await client.patch(url, json={"path": str(tmp_path / "gone"), "enabled": True})
    assert (gone.status_code, gone.json()["detail"]) == (
        400,
        f"The folder {tmp_path / 'gone'} does not exist on the server.",
    )
    kind = await client.patch(url, json={"kind": "http"})
    assert kind.status_code == 400

    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url)).status_code == 404
