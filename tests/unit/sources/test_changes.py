"""What is new in a source, given the fetch state remembered from the last fetches."""

from app.sources.changes import FileStat, ItemState, changed_files, conditional_headers, is_new_content

SHA_A, SHA_B = "a" * 64, "b" * 64


def test_a_folder_file_never_fetched_is_a_candidate() -> None:
    files = [FileStat("report.pdf", 100, 1_000)]
    assert changed_files(files, {}) == files


def test_an_unchanged_folder_file_is_not_looked_at_again() -> None:
    files = [FileStat("report.pdf", 100, 1_000)]
    known = {"report.pdf": ItemState("report.pdf", sha256=SHA_A, size_bytes=100, mtime_ns=1_000)}
    assert changed_files(files, known) == []


def test_a_folder_file_whose_size_or_mtime_changed_is_looked_at_again() -> None:
    grown, touched = FileStat("a.pdf", 101, 1_000), FileStat("b.pdf", 100, 2_000)
    known = {
        "a.pdf": ItemState("a.pdf", sha256=SHA_A, size_bytes=100, mtime_ns=1_000),
        "b.pdf": ItemState("b.pdf", sha256=SHA_B, size_bytes=100, mtime_ns=1_000),
    }
    assert changed_files([grown, touched], known) == [grown, touched]


def test_a_folder_file_that_only_ever_failed_is_tried_again() -> None:
    files = [FileStat("locked.pdf", 100, 1_000)]
    known = {"locked.pdf": ItemState("locked.pdf", size_bytes=100, mtime_ns=1_000, error="Permission denied")}
    assert changed_files(files, known) == files


def test_a_url_fetched_before_is_asked_for_only_if_changed() -> None:
    state = ItemState(
        "https://x/a.pdf", sha256=SHA_A, etag='"v1"', last_modified="Mon, 02 Dec 2024 10:00:00 GMT"
    )
    assert conditional_headers(state) == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Mon, 02 Dec 2024 10:00:00 GMT",
    }


def test_a_url_without_validators_or_never_fetched_is_asked_for_unconditionally() -> None:
    assert conditional_headers(None) == {}
    assert conditional_headers(ItemState("https://x/a.pdf", sha256=SHA_A)) == {}
    failed_first = ItemState("https://x/a.pdf", etag='"v1"', error="HTTP 500")
    assert conditional_headers(failed_first) == {}


def test_content_is_new_work_only_if_neither_the_item_had_it_nor_it_is_a_document() -> None:
    previous = ItemState("a.pdf", sha256=SHA_A)
    assert is_new_content(SHA_B, previous, documents=set())
    assert is_new_content(SHA_B, None, documents=set())
    assert not is_new_content(SHA_A, previous, documents=set())  # a 200 with the same bytes
    assert not is_new_content(SHA_B, previous, documents={SHA_B})  # uploaded, or in another source
