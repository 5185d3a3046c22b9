"""Character models with three kinds of input, the batches that feed them, and a sampler.

The three ways to hand a character id to a recurrent layer (chapter 7 compares them):

* ``"onehot"``: a vector of ``vocab_size`` floats, 1 at the character's id;
* ``"embedding"``: the integer id itself, looked up in a learned ``Embedding`` table;
* ``"scaled"``: one float, ``id / vocab_size`` (the baseline that shows why not: it puts
  the characters on a line, so ``'a'`` is "between" ``'Z'`` and ``'b'``).

Every model maps a batch of windows ``(batch, time, ...)`` to logits ``(batch, time,
vocab_size)``: one next-character prediction per step, trained with sparse categorical
cross-entropy on logits, so the loss is in nats per character. Time is left unspecified,
so a model trained on windows of 100 also reads a prompt of any length.
"""

from __future__ import annotations

import math
import time

import numpy as np
from tqdm.auto import tqdm

from rnnbook import keras_setup, profiles, validate
from rnnbook.validate import positive_int
from rnnbook.validate import temperature as check_temperature
from rnnbook.vocab import CharVocab
from rnnbook.windows import check_ids

keras = keras_setup.load(seed=None)  # silences TensorFlow's logs before it is imported

PROGRESS_FROM = 10_000  # generating this many characters (one model call each) shows progress
INPUT_KINDS = ("onehot", "embedding", "scaled")
CELLS = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}


def _cudnn_option(cell: str) -> dict:
    """On a GPU, LSTM and GRU must take the cuDNN kernel (Keras raises if a setting rules
    it out) rather than fall back silently to the slow loop; SimpleRNN has no cuDNN kernel."""
    if cell == "SimpleRNN" or not profiles.gpu_available():
        return {}
    return {"use_cudnn": True}


def check_kind(kind) -> str:
    if kind not in INPUT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, INPUT_KINDS))}, got {kind!r}")
    return kind


# ----------------------------------------------------------------------------- inputs


def encode_inputs(ids, kind: str, vocab_size: int) -> np.ndarray:
    """A batch of integer windows ``(batch, time)`` as the model of ``kind`` reads it.

    ``onehot``: float32 ``(batch, time, vocab_size)``; ``embedding``: int32 ``(batch, time)``;
    ``scaled``: float32 ``(batch, time, 1)`` holding ``id / vocab_size``.
    """
    check_kind(kind)
    vocab_size = positive_int("vocab_size", vocab_size)
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"ids must be a 2-D integer array (batch, time), got shape {ids.shape} and dtype {ids.dtype}"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"ids must lie in 0..{vocab_size - 1} (vocab_size={vocab_size}), "
            f"got values from {ids.min()} to {ids.max()}"
        )
    if kind == "onehot":
        return np.eye(vocab_size, dtype=np.float32)[ids]
    if kind == "embedding":
        return ids.astype(np.int32)
    return (ids.astype(np.float32) / vocab_size)[..., np.newaxis]


def input_bytes(kind: str, n_windows: int, length: int, vocab_size: int) -> int:
    """Bytes of ``n_windows`` windows of ``length`` characters as :func:`encode_inputs` makes them."""
    check_kind(kind)
    if isinstance(n_windows, bool) or not isinstance(n_windows, int | np.integer) or n_windows < 0:
        raise ValueError(f"n_windows must be an integer >= 0, got {n_windows!r}")
    length = positive_int("length", length)
    vocab_size = positive_int("vocab_size", vocab_size)
    features = vocab_size if kind == "onehot" else 1
    return int(n_windows) * length * features * 4  # float32 and int32 are both 4 bytes


class WindowBatches(keras.utils.PyDataset):
    """Batches ``(encoded inputs, int32 targets)`` cut from window views, encoded one batch at a time.

    Only the batch being served is copied out of the views and encoded, so one-hot inputs
    never exist for more than one batch. With ``steps=None`` an epoch visits every window
    once (the last, partial batch included); with ``steps`` it draws ``steps * batch_size``
    distinct windows at random, fresh each epoch. ``shuffle=False`` serves the windows in
    order (for validation).
    """

    def __init__(
        self,
        inputs,
        targets,
        batch_size: int,
        kind: str,
        vocab_size: int,
        *,
        steps: int | None = None,
        shuffle: bool = True,
        seed: int | None = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        inputs, targets = np.asarray(inputs), np.asarray(targets)
        if inputs.ndim != 2 or inputs.shape != targets.shape:
            raise ValueError(
                f"inputs and targets must be 2-D windows of the same shape (n, time), "
                f"got {inputs.shape} and {targets.shape}"
            )
        self.batch_size = positive_int("batch_size", batch_size)
        self.kind, self.vocab_size = check_kind(kind), positive_int("vocab_size", vocab_size)
        self.steps = None if steps is None else positive_int("steps", steps)
        if self.steps is not None and self.steps * self.batch_size > len(inputs):
            raise ValueError(
                f"steps * batch_size = {self.steps * self.batch_size} windows per epoch, "
                f"but there are only {len(inputs)} windows"
            )
        self.inputs, self.targets, self.shuffle = inputs, targets, shuffle
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def on_epoch_end(self):
        n = len(self.inputs)
        if self.steps is not None:
            size = self.steps * self.batch_size
            self.order = self.rng.choice(n, size, replace=False) if self.shuffle else np.arange(size)
        else:
            self.order = self.rng.permutation(n) if self.shuffle else np.arange(n)

    def __len__(self):
        return math.ceil(len(self.order) / self.batch_size)

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        x = encode_inputs(self.inputs[rows], self.kind, self.vocab_size)
        return x, self.targets[rows].astype(np.int32)


# ----------------------------------------------------------------------------- models


def build_char_model(
    kind: str,
    vocab_size: int,
    units: int,
    *,
    cell: str = "LSTM",
    embedding_dim: int | None = None,
    learning_rate: float = 0.003,
    seed: int | None = None,
    name: str | None = None,
):
    """A compiled ``input -> cell(units, return_sequences) -> Dense(vocab_size)`` character model.

    ``kind`` picks the input (see the module docstring); ``embedding_dim`` is required for
    ``"embedding"`` and refused otherwise. ``seed`` (when given) fixes the initial weights.
    The optimizer is Adam with global gradient-norm clipping (``global_clipnorm=1.0``:
    all gradients rescaled together, which keeps their direction; Keras' ``clipnorm``
    would clip each weight's gradient on its own); the loss is in nats per character.
    Sizes accept integral numbers (``16`` or ``16.0``); anything else raises
    ``TypeError``/``ValueError`` naming the argument.
    """
    check_kind(kind)
    vocab_size = positive_int("vocab_size", vocab_size)
    units = positive_int("units", units)
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    if kind == "embedding":
        embedding_dim = positive_int("embedding_dim", embedding_dim)
    elif embedding_dim is not None:
        raise ValueError(f"embedding_dim is only for kind='embedding', got {embedding_dim!r} for {kind!r}")
    learning_rate = validate.real("learning_rate", learning_rate, positive=True)
    if seed is not None:
        keras.utils.set_random_seed(seed)

    if kind == "onehot":
        layers = [keras.Input(shape=(None, vocab_size), name="one_hot")]
    elif kind == "embedding":
        layers = [
            keras.Input(shape=(None,), dtype="int32", name="ids"),
            keras.layers.Embedding(vocab_size, embedding_dim, name="embedding"),
        ]
    else:
        layers = [keras.Input(shape=(None, 1), name="id_over_vocab")]
    layers += [
        CELLS[cell](units, return_sequences=True, name=cell.lower(), **_cudnn_option(cell)),
        keras.layers.Dense(vocab_size, name="logits"),
    ]
    model = keras.Sequential(layers, name=name or f"{kind}_{cell.lower()}{units}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, global_clipnorm=1.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of each epoch (validation included) in ``self.seconds``."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


# ----------------------------------------------------------------------------- sampling


def temperature_probabilities(logits, temperature: float = 1.0) -> np.ndarray:
    """``softmax(logits / temperature)`` over the last axis, computed without overflow.

    ``logits``: float array ``(..., vocab_size)``, all finite; returns float64 of the same
    shape. Any positive, finite temperature works; a tiny one gives near-greedy
    probabilities. Raises ``ValueError`` naming a NaN/infinite logit, an empty last axis
    or a bad temperature.
    """
    temperature = check_temperature(temperature)
    logits = validate.finite_array("logits", logits)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(
            f"logits must have a non-empty last axis (one score per character), got shape {logits.shape}"
        )
    # subtracts the row maximum, since exp of a large logit would overflow
    return validate.tempered_softmax(logits, temperature)


def sample_ids(logits, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """One id per row of ``logits`` (shape ``(..., vocab_size)``), drawn from the tempered softmax.

    Returns int64 ids of shape ``logits.shape[:-1]``. Raises ``ValueError`` for NaN or
    infinite logits and a bad temperature, ``TypeError`` when ``rng`` is not a NumPy
    ``Generator``.
    """
    if not isinstance(rng, np.random.Generator):
        raise validate.ArgumentTypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    probs = temperature_probabilities(logits, temperature)
    flat = probs.reshape(-1, probs.shape[-1])
    cumulative = flat.cumsum(axis=1)
    draws = rng.random((len(flat), 1)) * cumulative[:, -1:]
    picked = (cumulative < draws).sum(axis=1)
    return np.minimum(picked, probs.shape[-1] - 1).reshape(probs.shape[:-1])


def generate(
    model,
    vocab: CharVocab,
    prompt: str,
    length: int,
    *,
    kind: str,
    temperature: float = 1.0,
    window: int | None = None,
    rng: np.random.Generator | None = None,
) -> str:
    """``length`` characters sampled after ``prompt``, re-reading the last ``window`` each time.

    The model sees at most the last ``window`` characters (its training length; ``None``:
    the whole text so far). Simple and slow; chapter 8 carries the state instead.
    A long request shows a progress bar and can be interrupted. Raises
    ``TypeError``/``ValueError`` naming a bad argument.
    """
    validate.function("model", model, "a Keras model mapping (batch, time, ...) inputs to logits")
    if not isinstance(vocab, CharVocab):
        raise validate.ArgumentTypeError(f"vocab must be a CharVocab, got {type(vocab).__name__}")
    check_kind(kind)
    length = positive_int("length", length)
    validate.allocation("length", length, 8 * length, "the generated ids")
    temperature = check_temperature(temperature)
    window = None if window is None else positive_int("window", window)
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty string (generation continues from it), got {prompt!r}")
    unknown = vocab.unknown(prompt)
    if unknown:
        raise ValueError(
            f"the prompt has characters that are not in the vocabulary: {unknown!r}; "
            f"the model knows only these {len(vocab)}: {''.join(vocab.chars)!r}"
        )
    rng = rng if rng is not None else np.random.default_rng()
    ids = list(vocab.encode(prompt))
    for _ in tqdm(range(length), desc="generating", unit="char", disable=length < PROGRESS_FROM):
        context = check_ids(np.asarray(ids[-window:] if window else ids, dtype=np.int32))
        x = encode_inputs(context[np.newaxis], kind, len(vocab))
        logits = np.asarray(model(x, training=False))[0, -1]
        ids.append(int(sample_ids(logits, temperature, rng)))
    return vocab.decode(ids[len(prompt) :])


__all__ = [
    "CELLS",
    "INPUT_KINDS",
    "EpochTimer",
    "WindowBatches",
    "build_char_model",
    "check_kind",
    "check_temperature",
    "encode_inputs",
    "generate",
    "input_bytes",
    "sample_ids",
    "temperature_probabilities",
]
