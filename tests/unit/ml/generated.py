"""Training data generated in the test: texts from distinct vocabularies and numeric records."""

import random

VOCABULARIES = {
    "finance": [
        "invoice",
        "payment",
        "ledger",
        "audit",
        "revenue",
        "tax",
        "budget",
        "balance",
        "credit",
        "debit",
    ],
    "medicine": [
        "patient",
        "diagnosis",
        "clinical",
        "therapy",
        "dose",
        "symptom",
        "hospital",
        "nurse",
        "vaccine",
        "surgery",
    ],
    "sport": [
        "football",
        "match",
        "goal",
        "league",
        "coach",
        "player",
        "stadium",
        "referee",
        "season",
        "tournament",
    ],
}
SHARED_WORDS = ["the", "report", "year", "data", "page", "section", "result", "summary", "total", "annual"]


def text_about(group: str, rng: random.Random, words: int = 40) -> str:
    """A text half of whose words come from `group`'s vocabulary, half from words all groups share."""
    vocabulary = VOCABULARIES[group]
    return " ".join(rng.choice(vocabulary if rng.random() < 0.5 else SHARED_WORDS) for _ in range(words))


def labelled_texts(per_group: int, seed: int) -> tuple[list[str], list[str]]:
    """`per_group` texts for each vocabulary, labelled with its name."""
    rng = random.Random(seed)
    texts, labels = [], []
    for group in VOCABULARIES:
        for _ in range(per_group):
            texts.append(text_about(group, rng))
            labels.append(group)
    return texts, labels


def ordinary_records(count: int, seed: int) -> list[dict[str, float | int | str]]:
    """Records whose `amount` and `quantity` are Gaussian around 100 and 10."""
    rng = random.Random(seed)
    return [
        {"id": i, "amount": round(rng.gauss(100, 5), 2), "quantity": round(rng.gauss(10, 1)), "note": "ok"}
        for i in range(count)
    ]
