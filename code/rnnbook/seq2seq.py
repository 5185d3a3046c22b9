"""Sequence to sequence (chapter 11): a date-normalisation task and encoder-decoder models.

The task: a calendar date written in one of several human formats ("Thursday 3 May 2021",
"03/05/21", "May 3rd, '21") goes in, the same date in ISO 8601 (``2021-05-03``) comes out.
:func:`sample_dates` writes dates, :func:`drop_ambiguous` removes the inputs that two
different dates can produce (``03/05/21`` is 3 May in the day-first format and 5 March in
the month-first one), :func:`split` makes disjoint train/validation/test sets.

:func:`build_seq2seq` builds the encoder-decoder of Sutskever, Vinyals and Le (2014, *Sequence
to Sequence Learning with Neural Networks*): an LSTM encoder whose final state initialises an
LSTM decoder, trained with teacher forcing; optionally with an attention layer over the
encoder's outputs in the style of Luong, Pham and Manning (2015, *Effective Approaches to
Attention-based Neural Machine Translation*). The attention layer itself, greedy decoding
and beam search are written in the chapter.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

import numpy as np

from rnnbook import keras_setup
from rnnbook.vocab import CharVocab

keras = keras_setup.load(seed=None)
layers = keras.layers
ops = keras.ops

MONTHS = ("January February March April May June July August September October November December").split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
FIRST_YEAR, LAST_YEAR = 1950, 2049  # so that a two-digit year names exactly one year
PAD = "\0"  # input id 0: padding, masked out by the encoder
START = "^"  # output id 0: the decoder's input at the first step
OUTPUT_LENGTH = 10  # YYYY-MM-DD


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


# Each format turns a date into text. "dmy" and "mdy" collide whenever the day is 12 or less.
FORMATS = {
    "weekday long": lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}",
    "US long": lambda d: f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {d.day}, {d.year}",
    "ordinal, short year": lambda d: f"{MONTHS[d.month - 1]} {_ordinal(d.day)}, '{d.year % 100:02d}",
    "ordinal of": lambda d: f"{_ordinal(d.day)} of {MONTHS[d.month - 1]} {d.year}",
    "day month": lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    "abbreviated": lambda d: (
        f"{WEEKDAYS[d.weekday()][:3]} {d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year % 100:02d}"
    ),
    "dmy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
    "mdy": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
    "dotted": lambda d: f"{d.day}.{d.month}.{d.year}",
    "compact": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
}


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def sample_dates(n: int, rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """``n`` random dates (uniform over 1950-2049), each written in a random format of :data:`FORMATS`.

    Returns a list of ``(text, iso, format_name)`` triples of strings; the same text can
    occur more than once. Raises ValueError when ``n`` is not a positive integer.
    """
    n = _positive_int("n (the number of dates)", n)
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    days = rng.integers(first, last + 1, size=n)
    names = list(FORMATS)
    choices = rng.integers(0, len(names), size=n)
    samples = []
    for day, choice in zip(days, choices, strict=True):
        date = dt.date.fromordinal(int(day))
        samples.append((FORMATS[names[choice]](date), date.isoformat(), names[choice]))
    return samples


@functools.cache
def _all_readings() -> dict[str, frozenset[str]]:
    """Every text any format writes for any date of 1950-2049 -> the ISO dates it can mean."""
    readings = defaultdict(set)
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    for ordinal in range(first, dt.date(LAST_YEAR, 12, 31).toordinal() + 1):
        date = dt.date.fromordinal(ordinal)
        for write in FORMATS.values():
            readings[write(date)].add(date.isoformat())
    return {text: frozenset(isos) for text, isos in readings.items()}


def readings(text: str) -> frozenset[str]:
    """The ISO dates (1950-2049) that some format of :data:`FORMATS` writes as ``text``."""
    return _all_readings().get(text, frozenset())


def drop_ambiguous(samples) -> tuple[list[tuple[str, str]], set[str]]:
    """Unique ``(text, iso)`` pairs, without the texts that are ambiguous by construction.

    A text is ambiguous when two different dates can be written as it (:func:`readings`),
    whether or not both were sampled: ``03/05/21`` is 3 May in the "dmy" format and 5 March
    in the "mdy" one. ``samples`` holds ``(text, iso, ...)`` tuples; returns ``(pairs,
    ambiguous_texts)``, ``pairs`` in the order of first occurrence.
    """
    first_iso = {}
    for text, iso, *_ in samples:
        first_iso.setdefault(text, iso)
    ambiguous = {text for text in first_iso if len(readings(text)) > 1}
    pairs = [(text, iso) for text, iso in first_iso.items() if text not in ambiguous]
    return pairs, ambiguous


def split(pairs, fractions=(0.8, 0.1, 0.1), rng: np.random.Generator | None = None):
    """Shuffle ``pairs`` and cut them into consecutive parts of the given ``fractions``.

    ``fractions`` (positive, summing to 1) gives e.g. train/validation/test; returns a list
    of lists. With unique inputs (:func:`drop_ambiguous`) no input is in two parts.
    """
    fractions = np.asarray(fractions, dtype=float)
    if (
        fractions.ndim != 1
        or fractions.size == 0
        or np.any(fractions <= 0)
        or abs(fractions.sum() - 1) > 1e-9
    ):
        raise ValueError(f"fractions must be positive numbers summing to 1, got {fractions.tolist()}")
    rng = rng or np.random.default_rng(0)
    order = rng.permutation(len(pairs))
    cuts = np.round(np.cumsum(fractions)[:-1] * len(pairs)).astype(int)
    return [[pairs[i] for i in part] for part in np.split(order, cuts)]


def vocabularies(texts) -> tuple[CharVocab, CharVocab]:
    """``(input_vocab, output_vocab)``: input id 0 is :data:`PAD`; output id 0 is :data:`START`."""
    input_chars = sorted(set("".join(texts)) - {PAD})
    return CharVocab([PAD, *input_chars]), CharVocab([START, "-", *"0123456789"])


def encode_inputs(texts, vocab: CharVocab, length: int | None = None) -> np.ndarray:
    """Input ids, int32 of shape ``(len(texts), length)``, padded with 0 at the end.

    ``length`` defaults to the longest text; a longer text raises ValueError (nothing is cut).
    """
    texts = list(texts)
    longest = max(map(len, texts), default=0)
    length = longest if length is None else _positive_int("length", length)
    if longest > length:
        raise ValueError(f"a text has {longest} characters, more than length={length}")
    ids = np.zeros((len(texts), length), dtype=np.int32)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = vocab.encode(text)
    return ids


def teacher_forcing(targets, vocab: CharVocab) -> tuple[np.ndarray, np.ndarray]:
    """``(decoder_inputs, decoder_targets)``, int32 of shape ``(n, len(target))`` each.

    The decoder's input at step t is the *true* character t-1 (:data:`START` at t=0): teacher
    forcing. All targets must have the same length.
    """
    targets = list(targets)
    lengths = {len(t) for t in targets}
    if len(lengths) != 1:
        raise ValueError(f"every target must have the same length, got lengths {sorted(lengths)}")
    target_ids = np.stack([vocab.encode(t) for t in targets])
    start = np.full((len(targets), 1), vocab.index[START], dtype=np.int32)
    return np.concatenate([start, target_ids[:, :-1]], axis=1), target_ids


def build_seq2seq(
    input_vocab_size: int,
    output_vocab_size: int,
    embedding_dim: int,
    units: int,
    attention: layers.Layer | None = None,
    name: str = "seq2seq",
):
    """An LSTM encoder-decoder, with or without attention; returns three models sharing weights.

    * ``training``: ``[input ids (n, T_in), decoder input ids (n, T_out)] -> logits
      (n, T_out, output_vocab_size)``, for teacher forcing.
    * ``encoder``: ``input ids -> [outputs (n, T_in, units), h, c (n, units), mask (n, T_in)]``.
    * ``step``: one decoder step, ``[previous ids (n, 1), h, c, encoder outputs, mask] ->
      [logits (n, output_vocab_size), h, c, attention weights (n, T_in)]`` (uniform
      weights over the unpadded inputs when there is no attention, so both models have
      the same interface).

    ``attention``, when given, is called as ``attention(queries, keys, valid)`` (decoder outputs
    ``(n, T_out, units)``, encoder outputs ``(n, T_in, units)``, a boolean ``(n, T_in)`` that is
    False on padding) and returns ``(context (n, T_out, units), weights (n, T_out, T_in))``;
    with it the logits read ``tanh(W [decoder output; context])`` (Luong et al. 2015, eq. 5),
    without it the decoder output alone. Raises ValueError when a size is not a positive
    integer.
    """
    for arg, value in (
        ("input_vocab_size", input_vocab_size),
        ("output_vocab_size", output_vocab_size),
        ("embedding_dim", embedding_dim),
        ("units", units),
    ):
        _positive_int(arg, value)
    encoder_embedding = layers.Embedding(
        input_vocab_size, embedding_dim, mask_zero=True, name="encoder_embedding"
    )
    encoder_lstm = layers.LSTM(units, return_sequences=True, return_state=True, name="encoder_lstm")
    decoder_embedding = layers.Embedding(output_vocab_size, embedding_dim, name="decoder_embedding")
    decoder_lstm = layers.LSTM(units, return_sequences=True, return_state=True, name="decoder_lstm")
    combine = layers.Dense(units, activation="tanh", name="attentional_state")
    logits_layer = layers.Dense(output_vocab_size, name="logits")

    def decode(decoder_ids, h, c, encoder_outputs, mask):
        outputs, h, c = decoder_lstm(decoder_embedding(decoder_ids), initial_state=[h, c])
        if attention is None:
            valid = ops.cast(mask, "float32")
            uniform = (valid / ops.sum(valid, axis=1, keepdims=True))[:, None, :]  # (n, 1, T_in)
            weights = ops.ones_like(outputs[:, :, :1]) * uniform  # (n, T_out, T_in)
            return logits_layer(outputs), h, c, weights
        context, weights = attention(outputs, encoder_outputs, mask)
        features = combine(layers.Concatenate()([outputs, context]))
        return logits_layer(features), h, c, weights

    input_ids = keras.Input(shape=(None,), dtype="int32", name="input_ids")
    decoder_ids = keras.Input(shape=(None,), dtype="int32", name="decoder_ids")
    mask = ops.not_equal(input_ids, 0)  # padding: skipped by the encoder, ignored by attention
    encoder_outputs, h, c = encoder_lstm(encoder_embedding(input_ids), mask=mask)
    logits, *_ = decode(decoder_ids, h, c, encoder_outputs, mask)
    training = keras.Model([input_ids, decoder_ids], logits, name=name)
    encoder = keras.Model(input_ids, [encoder_outputs, h, c, mask], name=f"{name}_encoder")

    previous = keras.Input(shape=(1,), dtype="int32", name="previous_ids")
    h_in = keras.Input(shape=(units,), name="h")
    c_in = keras.Input(shape=(units,), name="c")
    outputs_in = keras.Input(shape=(None, units), name="encoder_outputs")
    mask_in = keras.Input(shape=(None,), dtype="bool", name="mask")
    logits, h, c, weights = decode(previous, h_in, c_in, outputs_in, mask_in)
    step = keras.Model(
        [previous, h_in, c_in, outputs_in, mask_in], [logits[:, 0], h, c, weights[:, 0]], name=f"{name}_step"
    )
    return training, encoder, step


def exact_match(predicted, expected) -> float:
    """The fraction of predicted strings equal to the expected ones (same length lists)."""
    predicted, expected = list(predicted), list(expected)
    if len(predicted) != len(expected):
        raise ValueError(f"{len(predicted)} predictions for {len(expected)} expected outputs")
    if not expected:
        raise ValueError("no outputs to compare")
    return float(np.mean([p == e for p, e in zip(predicted, expected, strict=True)]))


__all__ = [
    "FORMATS",
    "OUTPUT_LENGTH",
    "PAD",
    "START",
    "build_seq2seq",
    "drop_ambiguous",
    "encode_inputs",
    "exact_match",
    "readings",
    "sample_dates",
    "split",
    "teacher_forcing",
    "vocabularies",
]
