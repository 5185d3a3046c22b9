"""Chapter 8's data pipeline and model: Shakespeare, one character at a time.

* :func:`split_text` holds out the *last* part of the text for validation (contiguous,
  so no validation character ever appears inside a training window);
* :func:`make_dataset` turns integer ids into a ``tf.data`` pipeline of
  ``(input, target)`` pairs: chunks of ``seq_length + 1`` ids, the target shifted by one,
  shuffled, batched and prefetched; nothing is one-hot encoded;
* :func:`build_model` is Embedding -> LSTM -> Dense(logits); its LSTM also returns its
  state, so :mod:`rnnbook.generate` can reuse the same layers one step at a time.

``python -m rnnbook.shakespeare --run-dir DIR`` trains the quick-profile model with a
checkpoint every epoch and :class:`keras.callbacks.BackupAndRestore`: kill it and run the
same command again, and it resumes after the last finished epoch (``tests/test_resume.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from rnnbook import keras_setup

keras = keras_setup.load(seed=None)  # noqa: E402  (silences TensorFlow before it is imported)
import tensorflow as tf  # noqa: E402

LAYER_NAMES = ("embedding", "lstm", "logits")


def split_text(text: str, validation_fraction: float = 0.1) -> tuple[str, str]:
    """``(train, validation)``: the validation part is the last ``validation_fraction`` of ``text``."""
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"validation_fraction must be between 0 and 1 (exclusive), got {validation_fraction}"
        )
    cut = int(round(len(text) * (1 - validation_fraction)))
    if cut == 0 or cut == len(text):
        raise ValueError(
            f"a text of {len(text)} characters is too short to split "
            f"{1 - validation_fraction:.0%} / {validation_fraction:.0%}"
        )
    return text[:cut], text[cut:]


def split_input_target(chunk):
    """A chunk of ``seq_length + 1`` ids -> (its first ``seq_length``, its last ``seq_length``)."""
    return chunk[..., :-1], chunk[..., 1:]


def n_batches(n_ids: int, seq_length: int, batch_size: int) -> int:
    """How many full batches :func:`make_dataset` yields from ``n_ids`` ids."""
    return (n_ids // (seq_length + 1)) // batch_size


def make_dataset(
    ids,
    seq_length: int,
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: int | None = 0,
    buffer_size: int = 10_000,
) -> tf.data.Dataset:
    """Batches of ``(inputs, targets)``, each ``(batch_size, seq_length)`` int32.

    The ids are cut into consecutive, non-overlapping chunks of ``seq_length + 1``; the
    chunks are shuffled (when ``shuffle``) and grouped into full batches.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integers, got shape {ids.shape} dtype {ids.dtype}")
    for name, value in (("seq_length", seq_length), ("batch_size", batch_size)):
        if int(value) != value or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    needed = (seq_length + 1) * batch_size
    if len(ids) < needed:
        raise ValueError(
            f"{len(ids)} ids make no full batch: one batch of {batch_size} chunks of "
            f"seq_length + 1 = {seq_length + 1} needs at least {needed} ids"
        )
    ids = tf.data.Dataset.from_tensor_slices(ids.astype(np.int32))
    chunks = ids.batch(seq_length + 1, drop_remainder=True)
    pairs = chunks.map(split_input_target, num_parallel_calls=tf.data.AUTOTUNE)
    if shuffle:
        pairs = pairs.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)
    return pairs.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def build_model(vocab_size: int, embedding_dim: int, units: int) -> keras.Model:
    """Embedding -> LSTM(return_sequences, return_state) -> Dense logits, for ids of any length.

    The model's output is the logits ``(batch, time, vocab_size)``; the LSTM's final state
    is computed too, and :func:`rnnbook.generate.one_step_model` uses it.
    """
    for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim), ("units", units)):
        if int(value) != value or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name=LAYER_NAMES[0])(ids)
    sequence, _h, _c = keras.layers.LSTM(
        units, return_sequences=True, return_state=True, name=LAYER_NAMES[1]
    )(x)
    logits = keras.layers.Dense(vocab_size, name=LAYER_NAMES[2])(sequence)
    return keras.Model(ids, logits, name=f"char_lstm{units}")


def compile_model(model: keras.Model, learning_rate: float) -> keras.Model:
    """Adam and sparse categorical cross-entropy on logits (the loss is in nats per character)."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


class EpochDone(keras.callbacks.Callback):
    """Print ``epoch N done: ...`` (1-based) with flush, after the other callbacks have run."""

    def on_epoch_end(self, epoch, logs=None):
        values = " ".join(f"{k}={v:.4f}" for k, v in (logs or {}).items())
        print(f"epoch {epoch + 1} done: {values}", flush=True)


def train_quick(run_dir: Path, epochs: int, text_chars: int = 20_000, seed: int = 0):
    """Train a tiny model with per-epoch checkpoints and a backup that survives a kill."""
    from rnnbook import checkpoints, data
    from rnnbook.vocab import CharVocab

    keras.utils.set_random_seed(seed)
    text = data.load_text("shakespeare", max_chars=text_chars)
    vocab = CharVocab.from_text(data.load_text("shakespeare"))
    train_text, val_text = split_text(text)
    train = make_dataset(vocab.encode(train_text), seq_length=50, batch_size=16, seed=seed)
    val = make_dataset(vocab.encode(val_text), seq_length=50, batch_size=16, shuffle=False)
    model = compile_model(build_model(len(vocab), 16, 64), learning_rate=0.003)
    callbacks = [
        checkpoints.checkpoint_callback(run_dir / "checkpoints"),
        keras.callbacks.BackupAndRestore(str(run_dir / "backup")),
        EpochDone(),
    ]
    # shuffle=False: the pipeline shuffles; fit's own shuffle applies only to arrays.
    return model.fit(train, validation_data=val, epochs=epochs, callbacks=callbacks, verbose=0, shuffle=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train a tiny Shakespeare model that resumes after a kill.")
    parser.add_argument("--run-dir", type=Path, required=True, help="checkpoints and the backup go here")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--text-chars", type=int, default=20_000)
    args = parser.parse_args(argv)
    history = train_quick(args.run_dir, args.epochs, args.text_chars)
    print(f"finished: ran epochs {[e + 1 for e in history.epoch]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
