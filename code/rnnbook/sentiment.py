"""A small synthetic sentiment data set that the book makes itself, and padding helpers.

Every sentence is generated from templates with one explicit rule, so the labels are
exact and nothing is downloaded. A *clause* is ``<subject> was [not] [very|really] <adjective>``;
its polarity is the adjective's, flipped by ``not``. A sentence is one clause, or two
clauses of opposite polarity joined by ``but``; its label is the polarity of its **last**
clause (1 = positive). Two consequences, by construction:

* ``the plot was good`` and ``the plot was not good`` differ by one word and have opposite labels;
* ``the film was good but the music was bad`` and ``the film was bad but the music was good``
  contain exactly the same words and have opposite labels.

So a model that only counts words (a bag of words) cannot do much better than chance:
it needs word order. The sentences are the book's own (same licence as the book).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from rnnbook.validate import ArgumentTypeError, generator, ids_in_range, positive_int

SUBJECTS = (
    "the film",
    "the plot",
    "the acting",
    "the music",
    "the ending",
    "the story",
    "the cast",
    "the script",
)
POSITIVE = ("good", "great", "fun", "clever", "moving", "funny")
NEGATIVE = ("bad", "dull", "boring", "weak", "awful", "silly")
INTENSIFIERS = ("", "very", "really")
PAD = 0  # id 0 is reserved for padding (what ``mask_zero=True`` masks)


def make_clause(rng: np.random.Generator, positive: bool) -> str:
    """One clause whose polarity is ``positive`` (half of them use ``not`` to get there)."""
    rng = generator("rng", rng)
    negated = bool(rng.random() < 0.5)
    # "not" flips the adjective: a positive clause is a positive adjective, or "not" + a negative one.
    pool = NEGATIVE if positive == negated else POSITIVE
    words = [str(rng.choice(SUBJECTS)), "was", str(rng.choice(INTENSIFIERS))]
    if negated:
        words.insert(2, "not")  # "was not very good": negation before the intensifier
    words.append(str(rng.choice(pool)))
    return " ".join(w for w in words if w)


def label_of(sentence: str) -> int:
    """The rule, applied to a sentence: 1 when its last clause is positive, else 0."""
    if not isinstance(sentence, str):
        raise ArgumentTypeError(f"sentence must be a str, got {type(sentence).__name__}")
    last = sentence.split(" but ")[-1].split()
    if not last or last[-1] not in POSITIVE + NEGATIVE:
        raise ValueError(f"not a sentence of this data set (it must end with an adjective): {sentence!r}")
    positive = last[-1] in POSITIVE
    return int(positive != ("not" in last))


def make_sentence(rng: np.random.Generator, label: int, p_two_clauses: float = 0.75) -> str:
    """A sentence with the given label: one clause, or two of opposite polarity joined by "but"."""
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {label!r}")
    last = make_clause(rng, positive=bool(label))
    if rng.random() < p_two_clauses:
        return f"{make_clause(rng, positive=not label)} but {last}"
    return last


def make_dataset(n_train: int, n_test: int, rng: np.random.Generator):
    """Distinct sentences with balanced labels, split so no test sentence is in the training set.

    Returns ``(train_sentences, train_labels, test_sentences, test_labels)``; labels are int arrays.
    """
    n_train, n_test = positive_int("n_train", n_train), positive_int("n_test", n_test)
    rng = generator("rng", rng)
    seen: dict[str, int] = {}
    label = 0
    while len(seen) < n_train + n_test:
        sentence = make_sentence(rng, label)
        if sentence not in seen:
            seen[sentence] = label
            label = 1 - label  # alternate, so the classes stay balanced
    sentences = list(seen)
    order = rng.permutation(len(sentences))
    sentences = [sentences[i] for i in order]
    labels = np.array([seen[s] for s in sentences], dtype=np.int32)
    return sentences[:n_train], labels[:n_train], sentences[n_train:], labels[n_train:]


class WordVocab:
    """Words <-> ids, with id 0 kept free for padding (so ids start at 1)."""

    def __init__(self, words: Iterable[str]):
        if isinstance(words, str) or not isinstance(words, Iterable):
            raise ArgumentTypeError(f"words must be an iterable of words (str), got {type(words).__name__}")
        words = list(words)
        if not words or len(set(words)) != len(words):
            raise ValueError("a vocabulary needs at least one word and no repeats")
        self.words = words
        self.index = {w: i + 1 for i, w in enumerate(words)}

    @classmethod
    def from_sentences(cls, sentences: Iterable[str]) -> WordVocab:
        """The sorted words of ``sentences`` (an iterable of str)."""
        if isinstance(sentences, str) or not isinstance(sentences, Iterable):
            raise ArgumentTypeError(
                f"sentences must be an iterable of sentences (str), got {type(sentences).__name__}"
            )
        sentences = list(sentences)
        if not all(isinstance(s, str) for s in sentences):
            raise ArgumentTypeError("sentences must all be str")
        return cls(sorted({w for s in sentences for w in s.split()}))

    def __len__(self) -> int:
        """The number of ids, padding included (what ``Embedding(input_dim=...)`` needs)."""
        return len(self.words) + 1

    def encode(self, sentence: str) -> list[int]:
        """The ids of ``sentence``'s words; an unknown word raises ValueError naming it."""
        if not isinstance(sentence, str):
            raise ArgumentTypeError(f"sentence must be a str, got {type(sentence).__name__}")
        unknown = sorted(set(sentence.split()) - self.index.keys())
        if unknown:
            raise ValueError(f"word(s) not in the vocabulary: {unknown}; it has {len(self.words)} words")
        return [self.index[w] for w in sentence.split()]

    def decode(self, ids: Iterable[int]) -> str:
        """The words of ``ids``, skipping padding."""
        ids = ids_in_range("ids", ids, len(self.words) + 1).ravel().tolist()
        return " ".join(self.words[i - 1] for i in ids if i != PAD)


def pad(sequences: Sequence[Sequence[int]], length: int, side: str = "post") -> np.ndarray:
    """Sequences of ids as one int32 array ``(n, length)``, filled with 0 after (or before) each.

    Too-long sequences raise ValueError rather than being cut silently (a cut sentence can
    lose the clause that decides its label).
    """
    length = positive_int("length", length)
    if side not in ("post", "pre"):
        raise ValueError(f"side must be 'post' or 'pre', got {side!r}")
    out = np.full((len(sequences), length), PAD, dtype=np.int32)
    for row, seq in enumerate(sequences):
        if len(seq) > length:
            raise ValueError(f"sequence {row} has {len(seq)} ids, more than length={length}")
        if len(seq):
            if side == "post":
                out[row, : len(seq)] = seq
            else:
                out[row, length - len(seq) :] = seq
    return out


def bag_of_words(sequences: Sequence[Sequence[int]], vocab_size: int) -> np.ndarray:
    """Word counts per sentence, shape ``(n, vocab_size)`` (column 0, padding, stays 0)."""
    vocab_size = positive_int("vocab_size", vocab_size)
    counts = np.zeros((len(sequences), vocab_size), dtype=np.float32)
    for row, seq in enumerate(sequences):
        for i in seq:
            if not 0 < i < vocab_size:
                raise ValueError(f"id {i} in sequence {row} is outside 1..{vocab_size - 1}")
            counts[row, i] += 1
    return counts
