"""Index pages: the file URLs a page lists, as HTML links or one URL a line (pure, no I/O)."""

from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from app.sources.folder import matches

MAX_LISTED = 10_000


class _Links(HTMLParser):
    """Collects `<a href>` targets and the page's `<base href>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if not href:
            return
        if tag == "base" and self.base is None:
            self.base = href.strip()
        elif tag == "a":
            self.hrefs.append(href.strip())


def looks_like_html(body: str, content_type: str | None) -> bool:
    """HTML by its media type, or (served as anything else) by its first tag."""
    if content_type and "html" in content_type.lower():
        return True
    head = body.lstrip()[:1024].lower()
    return head.startswith(("<!doctype html", "<html")) or "<a " in head


def file_name(url: str) -> str:
    """The last segment of a URL's path, decoded (`reports/Q3%20plan.pdf` -> `Q3 plan.pdf`)."""
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])


def listed_urls(body: str, page_url: str, content_type: str | None, pattern: str) -> list[str]:
    """The distinct http(s) URLs the page lists whose file names match `pattern`, in page order.

    Relative links resolve against the page (or its `<base href>`); fragments are dropped; the page
    itself, folders (a trailing `/`) and other schemes (`mailto:`, `javascript:`) are left out.
    """
    base = page_url
    if looks_like_html(body, content_type):
        parser = _Links()
        parser.feed(body)
        parser.close()
        if parser.base:
            base = urljoin(page_url, parser.base)
        candidates = parser.hrefs
    else:
        candidates = [line.strip() for line in body.splitlines()]
        candidates = [line for line in candidates if line and not line.startswith("#")]
    page = urldefrag(page_url).url
    found: dict[str, None] = {}
    for href in candidates:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or url == page:
            continue
        if parts.path.endswith("/") or not matches(file_name(url), pattern):
            continue
        found.setdefault(url)
        if len(found) >= MAX_LISTED:
            break
    return list(found)
