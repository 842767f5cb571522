"""Document topics: TF-IDF (English stop words removed) + NMF, without labels.

Each topic is described by its top keywords; each document gets its strongest topic, that
topic's share of the document's topic weight, and the topic's keywords.
"""

from collections.abc import Sequence

import numpy as np

from app.ml.model import NotEnoughData, TrainedModel, model_version
from app.ml.text import KEYWORDS, bounded, raise_if_no_words, tfidf, top_terms
from schemas.models import DocumentPrediction, ModelKind
from schemas.records import JsonScalar

MAX_TOPICS = 100


def fit_topics(texts: Sequence[str], *, n_topics: int, seed: int = 0) -> TrainedModel:
    """Fit `n_topics` NMF topics over TF-IDF features, each with its top keywords."""
    if not 2 <= n_topics <= MAX_TOPICS:
        raise ValueError(f"n_topics must be between 2 and {MAX_TOPICS}, not {n_topics}")
    if len(texts) < 2 * n_topics:
        raise NotEnoughData(f"{n_topics} topics need at least {2 * n_topics} documents; got {len(texts)}.")
    docs = bounded(texts)
    params: dict[str, JsonScalar] = {"model": "tfidf+nmf", "n_topics": n_topics, "seed": seed}
    # scikit-learn takes seconds to import; only training needs it, so only training imports it.
    from sklearn.decomposition import NMF
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline(
        [
            ("tfidf", tfidf(stop_words="english", ngram_max=1)),
            ("nmf", NMF(n_components=n_topics, init="nndsvda", max_iter=1000, random_state=seed)),
        ]
    )
    try:
        weights = pipeline.fit_transform(docs)
    except ValueError as exc:
        raise_if_no_words(exc)
        raise
    vocabulary = pipeline.named_steps["tfidf"].get_feature_names_out()
    components = pipeline.named_steps["nmf"].components_
    topics = tuple(tuple(top_terms(vocabulary, enumerate(row), KEYWORDS)) for row in components)
    totals = weights.sum(axis=1)
    shares = weights.max(axis=1)[totals > 0] / totals[totals > 0]
    metrics = {
        "reconstruction_error": float(pipeline.named_steps["nmf"].reconstruction_err_),
        "mean_top_topic_share": float(shares.mean()) if shares.size else 0.0,
        "vocabulary_size": float(len(vocabulary)),
    }
    version = model_version(ModelKind.DOCUMENT_TOPICS, params, docs)
    return TrainedModel(
        ModelKind.DOCUMENT_TOPICS, version, params, len(docs), metrics, pipeline, topics=topics
    )


def predict_topics(model: TrainedModel, docs: list[str]) -> list[DocumentPrediction]:
    """The strongest topic of each bounded text; a document with no known words gets no topic."""
    weights = model.pipeline.transform(docs)
    predictions = []
    for row in weights:
        total = float(row.sum())
        best = int(np.argmax(row))
        found = total > 0
        predictions.append(
            DocumentPrediction(
                kind=model.kind,
                topic=best if found else None,
                score=min(1.0, float(row[best]) / total) if found else 0.0,
                keywords=list(model.topics[best]) if found else [],
                model_version=model.version,
            )
        )
    return predictions
