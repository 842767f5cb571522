"""What a document model reads: a bounded prefix of the document's text, as TF-IDF features.

A model sees at most the first `MAX_DOCUMENT_CHARS` characters of a document (its pages joined
by blank lines, in order). That bounds training and prediction time and memory whatever the
document's length (a 5,000-page PDF costs what a 10-page one does), and the opening pages —
title, abstract, first sections — are what best say what a document is about.
"""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from app.ml.model import NotEnoughData

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

MAX_DOCUMENT_CHARS = 20_000
MAX_FEATURES = 50_000
KEYWORDS = 8
PAGE_SEPARATOR = "\n\n"


def document_text(pages: Iterable[str]) -> str:
    """The text a document model sees: pages joined in order, cut at `MAX_DOCUMENT_CHARS`."""
    parts: list[str] = []
    length = 0
    for page in pages:
        if length >= MAX_DOCUMENT_CHARS:
            break
        parts.append(page)
        length += len(page) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts)[:MAX_DOCUMENT_CHARS]


def bounded(texts: Sequence[str]) -> list[str]:
    """Each text cut at `MAX_DOCUMENT_CHARS` (models never see more, in training or prediction)."""
    return [text[:MAX_DOCUMENT_CHARS] for text in texts]


def tfidf(*, stop_words: str | None, ngram_max: int) -> "TfidfVectorizer":
    """A TF-IDF vectoriser: sublinear term frequency, accents folded, a capped vocabulary."""
    # scikit-learn takes seconds to import; only training needs it, so only training imports it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        lowercase=True,
        strip_accents="unicode",
        sublinear_tf=True,
        stop_words=stop_words,
        ngram_range=(1, ngram_max),
        max_features=MAX_FEATURES,
    )


def top_terms(vocabulary: Sequence[str], weights: Iterable[tuple[int, float]], count: int) -> list[str]:
    """The `count` terms with the highest positive weight, best first."""
    ranked = sorted((pair for pair in weights if pair[1] > 0), key=lambda pair: (-pair[1], pair[0]))
    return [str(vocabulary[index]) for index, _ in ranked[:count]]


def raise_if_no_words(exc: ValueError) -> None:
    """Raise NotEnoughData if `exc` is scikit-learn's "empty vocabulary" error."""
    if "empty vocabulary" in str(exc):
        raise NotEnoughData(
            "The documents have no words to learn from (only stop words or no text)."
        ) from exc
