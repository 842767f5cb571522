"""Document models: a classifier learns labelled text, topics find groups, predictions carry a version."""

import random

import pytest

from app.ml.documents import fit_topics, predict_documents, train_classifier
from app.ml.model import NotEnoughData, TrainedModel
from app.ml.text import MAX_DOCUMENT_CHARS, document_text
from schemas.models import ModelKind
from tests.unit.ml.generated import VOCABULARIES, labelled_texts, text_about


def test_a_classifier_on_separable_text_beats_chance_by_a_clear_margin(classifier: TrainedModel) -> None:
    assert classifier.metrics["majority_baseline"] == pytest.approx(1 / 3)
    assert classifier.metrics["cv_accuracy"] > 0.9
    assert classifier.metrics["cv_f1_macro"] > 0.9
    assert classifier.metrics["cv_folds"] == 5
    assert classifier.training_size == 60
    assert classifier.labels == ("finance", "medicine", "sport")


def test_cross_validated_metrics_are_honest_labels_unrelated_to_the_text_score_near_chance() -> None:
    texts, labels = labelled_texts(per_group=30, seed=13)
    random.Random(14).shuffle(labels)
    metrics = train_classifier(texts, labels, seed=0).metrics
    assert metrics["cv_accuracy"] < 0.55  # chance is 1/3; memorising the training folds would show 1.0


def test_a_classifier_labels_held_out_texts_correctly(classifier: TrainedModel) -> None:
    texts, labels = labelled_texts(per_group=10, seed=99)
    predictions = predict_documents(classifier, texts)
    correct = sum(p.label == label for p, label in zip(predictions, labels, strict=True))
    assert correct / len(labels) >= 0.95


def test_a_label_comes_with_its_probability_keywords_and_model_version(classifier: TrainedModel) -> None:
    [prediction] = predict_documents(classifier, [text_about("sport", random.Random(5))])
    assert prediction.kind is ModelKind.DOCUMENT_CLASSIFIER
    assert prediction.label == "sport"
    assert 0.5 < prediction.score <= 1.0
    assert prediction.keywords  # the terms (words or word pairs) that most favour "sport"
    assert all(set(term.split()) & set(VOCABULARIES["sport"]) for term in prediction.keywords)
    assert prediction.model_version == classifier.version


def test_retraining_on_different_data_changes_later_predictions(classifier: TrainedModel) -> None:
    texts, labels = labelled_texts(per_group=20, seed=1)
    relabelled = [
        "medicine" if label == "sport" else "sport" if label == "medicine" else label for label in labels
    ]
    retrained = train_classifier(texts, relabelled, seed=0)
    sport_text = text_about("sport", random.Random(6))
    [before] = predict_documents(classifier, [sport_text])
    [after] = predict_documents(retrained, [sport_text])
    assert (before.label, after.label) == ("sport", "medicine")
    assert after.model_version == retrained.version != classifier.version


def test_training_twice_on_the_same_data_gives_the_same_version() -> None:
    texts, labels = labelled_texts(per_group=5, seed=7)
    assert train_classifier(texts, labels, seed=0).version == train_classifier(texts, labels, seed=0).version


def test_a_classifier_needs_two_classes() -> None:
    with pytest.raises(NotEnoughData, match="at least 2 classes"):
        train_classifier(["a text", "another text", "a third"], ["only", "only", "only"], seed=0)


def test_a_classifier_needs_enough_documents_in_every_class() -> None:
    texts, labels = labelled_texts(per_group=5, seed=8)
    with pytest.raises(NotEnoughData, match=r"at least 3 documents; too few: \['rare'\]"):
        train_classifier([*texts, "x y", "y z"], [*labels, "rare", "rare"], seed=0)


def test_a_classifier_needs_words_to_learn_from() -> None:
    with pytest.raises(NotEnoughData, match="no words"):
        train_classifier([""] * 6, ["a", "b"] * 3, seed=0)


def test_topics_recover_groups_written_with_distinct_vocabularies(topics: TrainedModel) -> None:
    assert len(topics.topics) == 3
    found = {
        group: topic
        for group, words in VOCABULARIES.items()
        for topic, keywords in enumerate(topics.topics)
        if set(keywords) <= set(words)
    }
    assert sorted(found) == sorted(VOCABULARIES)
    assert sorted(found.values()) == [0, 1, 2]
    texts, groups = labelled_texts(per_group=5, seed=11)
    for prediction, group in zip(predict_documents(topics, texts), groups, strict=True):
        assert prediction.topic == found[group]
        assert prediction.keywords == list(topics.topics[found[group]])
        assert prediction.score > 0.5
        assert prediction.label is None and prediction.model_version == topics.version


def test_a_text_with_no_known_words_gets_no_topic(topics: TrainedModel) -> None:
    [prediction] = predict_documents(topics, ["zebra quokka"])
    assert (prediction.topic, prediction.score, prediction.keywords) == (None, 0.0, [])


def test_topics_need_at_least_two_documents_per_topic() -> None:
    with pytest.raises(NotEnoughData, match="3 topics need at least 6 documents; got 5"):
        fit_topics(["text"] * 5, n_topics=3, seed=0)


def test_a_model_reads_only_the_first_max_document_chars_of_a_text(classifier: TrainedModel) -> None:
    rng = random.Random(12)
    opening = (text_about("finance", rng) + " ") * (MAX_DOCUMENT_CHARS // 200)
    long_text = opening[:MAX_DOCUMENT_CHARS] + " " + text_about("sport", rng, words=100_000)
    [prediction] = predict_documents(classifier, [long_text])
    assert prediction.label == "finance"


def test_document_text_joins_pages_in_order_and_stops_at_the_bound() -> None:
    assert document_text(["page one", "page two"]) == "page one\n\npage two"
    text = document_text(["x" * MAX_DOCUMENT_CHARS, "never read"])
    assert text == "x" * MAX_DOCUMENT_CHARS


def test_no_texts_no_predictions(classifier: TrainedModel) -> None:
    assert predict_documents(classifier, []) == []


def test_an_anomaly_model_cannot_predict_documents(anomaly: TrainedModel) -> None:
    with pytest.raises(ValueError, match="expected a document_classifier or document_topics model"):
        predict_documents(anomaly, ["text"])
