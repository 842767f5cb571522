"""Index pages: which file URLs a page lists."""

from app.sources.listing import file_name, listed_urls

PAGE = "https://files.example.com/reports/index.html"


def test_html_links_resolve_against_the_page_and_match_the_pattern() -> None:
    html = """<html><body>
      <a href="q1.pdf">Q1</a> <a href="/archive/q2.PDF">Q2</a> <a href="https://cdn.example.net/q3.pdf#p=2">Q3</a>
      <a href="../">Parent</a> <a href="notes.txt">notes</a> <a href="mailto:ops@example.com">mail</a>
      <a href="q1.pdf">Q1 again</a> <a href="javascript:void(0)">x</a> <a href="sub/">folder</a>
    </body></html>"""
    assert listed_urls(html, PAGE, "text/html; charset=utf-8", "*.pdf") == [
        "https://files.example.com/reports/q1.pdf",
        "https://files.example.com/archive/q2.PDF",
        "https://cdn.example.net/q3.pdf",
    ]


def test_a_base_href_changes_where_relative_links_point() -> None:
    html = '<html><head><base href="https://mirror.example.org/pdfs/"></head><a href="a.pdf">a</a></html>'
    assert listed_urls(html, PAGE, "text/html", "*.pdf") == ["https://mirror.example.org/pdfs/a.pdf"]


def test_a_plain_list_has_one_url_a_line_and_comments() -> None:
    body = "# monthly exports\nhttps://files.example.com/m/jan.pdf\n\n  feb.pdf  \nftp://old.example.com/mar.pdf\n"
    assert listed_urls(body, PAGE, "text/plain", "*.pdf") == [
        "https://files.example.com/m/jan.pdf",
        "https://files.example.com/reports/feb.pdf",
    ]


def test_the_pattern_filters_by_file_name_ignoring_case() -> None:
    body = "invoice-1.pdf\nINVOICE-2.PDF\nreport.pdf\n"
    assert listed_urls(body, PAGE, None, "invoice-*") == [
        "https://files.example.com/reports/invoice-1.pdf",
        "https://files.example.com/reports/INVOICE-2.PDF",
    ]


def test_file_names_are_decoded_from_the_url_path() -> None:
    assert file_name("https://x.example/a/Q3%20plan.pdf?download=1") == "Q3 plan.pdf"
    assert file_name("https://x.example/") == ""
