"""The document classifier: TF-IDF (words and word pairs) + multinomial logistic regression.

Logistic regression's probabilities need no separate calibration. Metrics are stratified k-fold
cross-validated (k = 5, or the size of the smallest class if smaller); each fold fits its own
TF-IDF, so no vocabulary leaks from the held-out documents into the score.
"""

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from app.ml.model import NotEnoughData, TrainedModel, model_version
from app.ml.text import KEYWORDS, bounded, raise_if_no_words, tfidf, top_terms
from schemas.models import DocumentPrediction, ModelKind
from schemas.records import JsonScalar

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MIN_PER_CLASS = 3
MAX_FOLDS = 5
C = 10.0
"""Inverse regularisation strength: TF-IDF vectors are sparse and short, so regularise lightly."""


def train_classifier(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0) -> TrainedModel:
    """Train TF-IDF + logistic regression on labelled texts, with cross-validated metrics."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    counts = Counter(labels)
    if len(counts) < 2:
        raise NotEnoughData(
            f"A classifier needs at least 2 classes; the labelled documents have {len(counts)}."
        )
    if rare := sorted(label for label, n in counts.items() if n < MIN_PER_CLASS):
        raise NotEnoughData(f"Each class needs at least {MIN_PER_CLASS} documents; too few: {rare[:10]}.")
    docs, targets = bounded(texts), list(labels)
    params: dict[str, JsonScalar] = {
        "model": "tfidf+logistic_regression",
        "ngram_max": 2,
        "C": C,
        "seed": seed,
    }
    # scikit-learn takes seconds to import; only training needs it, so only training imports it.
    from sklearn.model_selection import StratifiedKFold, cross_validate

    folds = StratifiedKFold(n_splits=min(MAX_FOLDS, min(counts.values())), shuffle=True, random_state=seed)
    try:
        scores = cross_validate(_classifier(seed), docs, targets, cv=folds, scoring=("accuracy", "f1_macro"))
        pipeline = _classifier(seed).fit(docs, targets)
    except ValueError as exc:
        raise_if_no_words(exc)
        raise
    metrics = {
        "cv_accuracy": float(np.mean(scores["test_accuracy"])),
        "cv_accuracy_std": float(np.std(scores["test_accuracy"])),
        "cv_f1_macro": float(np.mean(scores["test_f1_macro"])),
        "cv_folds": float(folds.get_n_splits()),
        "majority_baseline": max(counts.values()) / len(targets),
    }
    version = model_version(ModelKind.DOCUMENT_CLASSIFIER, params, [*docs, *targets])
    classes = tuple(str(label) for label in pipeline.classes_)
    return TrainedModel(
        ModelKind.DOCUMENT_CLASSIFIER, version, params, len(docs), metrics, pipeline, labels=classes
    )


def _classifier(seed: int) -> "Pipeline":
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("tfidf", tfidf(stop_words=None, ngram_max=2)),
            ("clf", LogisticRegression(C=C, max_iter=2000, random_state=seed)),
        ]
    )


def predict_labels(model: TrainedModel, docs: list[str]) -> list[DocumentPrediction]:
    """Labels and probabilities of bounded texts; keywords: the terms that most favour the label."""
    features = model.pipeline.named_steps["tfidf"].transform(docs).tocsr()
    vocabulary = model.pipeline.named_steps["tfidf"].get_feature_names_out()
    coef = model.pipeline.named_steps["clf"].coef_
    if coef.shape[0] == 1:  # binary: one row of weights, for the second class
        coef = np.vstack([-coef[0], coef[0]])
    probabilities = model.pipeline.named_steps["clf"].predict_proba(features)
    predictions = []
    for i, row in enumerate(probabilities):
        best = int(np.argmax(row))
        start, end = features.indptr[i], features.indptr[i + 1]
        terms = features.indices[start:end]
        weights = zip(terms.tolist(), (features.data[start:end] * coef[best, terms]).tolist(), strict=True)
        predictions.append(
            DocumentPrediction(
                kind=model.kind,
                label=model.labels[best],
                score=float(row[best]),
                keywords=top_terms(vocabulary, weights, KEYWORDS),
                model_version=model.version,
            )
        )
    return predictions
