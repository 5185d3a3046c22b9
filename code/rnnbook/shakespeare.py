"""Chapter 8's data pipeline and model: Shakespeare, one character at a time.

* :func:`split_text` holds out the *last* part of the text for validation (contiguous,
  so no validation character ever appears inside a training window);
* :func:`make_dataset` turns integer ids into a ``tf.data`` pipeline of
  ``(input, target)`` pairs: chunks of ``seq_length + 1`` ids, the target shifted by one,
  shuffled, batched and prefetched; nothing is one-hot encoded. With an
  :class:`EpochShuffle` the order of each epoch depends only on ``(seed, epoch)``, so a
  run resumed in a new process sees the same batches as one never interrupted;
* :func:`build_model` is Embedding -> LSTM -> Dense(logits); its LSTM also returns its
  state, so :mod:`rnnbook.generate` can reuse the same layers one step at a time;
* :func:`claim_run_dir` gives each running copy of a chapter its own run folder;
* :func:`load_pretrained` loads chapter 8's stored ``cpu`` model with its vocabulary.

``python -m rnnbook.shakespeare --run-dir DIR`` trains the quick-profile model with a
checkpoint every epoch and :class:`rnnbook.checkpoints.ExactBackup`: kill it at any
instant and run the same command again, and it resumes after the last finished epoch and
ends with the same weights as a run never killed (``tests/test_resume.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import sys
import urllib.request
from pathlib import Path

import numpy as np

from rnnbook import keras_setup, precision, profiles, validate

keras = keras_setup.load(seed=None)  # noqa: E402  (silences TensorFlow before it is imported)
import tensorflow as tf  # noqa: E402

LAYER_NAMES = ("embedding", "lstm", "logits")
PRETRAINED_DIR = Path(__file__).resolve().parents[2] / "chapters" / "pretrained"
PRETRAINED_URL = "https://github.com/rnn-book/rnn-book/raw/main/chapters/pretrained/"
RUN_DIR_ENV = "RNNBOOK_RUN_DIR"


class EpochShuffle(keras.callbacks.Callback):
    """Tells :func:`make_dataset` which epoch starts, so each epoch's order is a function of it.

    ``tf.data``'s ``shuffle(reshuffle_each_iteration=True)`` draws each epoch's order from
    a generator that starts afresh in every process: a run resumed after a crash would
    see epoch 1's order again. With this callback in ``fit`` (and passed to
    :func:`make_dataset`) epoch ``e`` is always the permutation drawn from
    ``(seed, e)`` (``tf.random.experimental.stateless_shuffle``).
    """

    def __init__(self):
        super().__init__()
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="shuffle_epoch")

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch.assign(epoch)


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
    epoch: EpochShuffle | None = None,
) -> tf.data.Dataset:
    """Batches of ``(inputs, targets)``, each ``(batch_size, seq_length)`` int32.

    The ids are cut into consecutive, non-overlapping chunks of ``seq_length + 1``; the
    chunks are shuffled (when ``shuffle``) and grouped into full batches. Without
    ``epoch`` the shuffle is ``tf.data``'s (a buffer of ``buffer_size`` chunks, a new
    order each epoch, restarted in a new process); with an :class:`EpochShuffle` (which
    must also be in ``fit``'s callbacks) each epoch is a full permutation of the chunks
    drawn from ``(seed, epoch)``, the same in every process.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integers, got shape {ids.shape} dtype {ids.dtype}")
    seq_length = validate.positive_int("seq_length", seq_length)
    batch_size = validate.positive_int("batch_size", batch_size)
    needed = (seq_length + 1) * batch_size
    if len(ids) < needed:
        raise ValueError(
            f"{len(ids)} ids make no full batch: one batch of {batch_size} chunks of "
            f"seq_length + 1 = {seq_length + 1} needs at least {needed} ids"
        )
    total_batches = n_batches(len(ids), seq_length, batch_size)
    if shuffle and epoch is not None:
        if not isinstance(epoch, EpochShuffle):
            raise ValueError(f"epoch must be an EpochShuffle callback or None, got {epoch!r}")
        if seed is None:
            raise ValueError("an EpochShuffle needs a seed (an int), got seed=None")
        chunks = _epoch_permuted_chunks(ids.astype(np.int32), seq_length, int(seed), epoch.epoch)
    else:
        ids = tf.data.Dataset.from_tensor_slices(ids.astype(np.int32))
        chunks = ids.batch(seq_length + 1, drop_remainder=True)
    pairs = chunks.map(split_input_target, num_parallel_calls=tf.data.AUTOTUNE)
    if shuffle and epoch is None:
        pairs = pairs.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)
    batches = pairs.batch(batch_size, drop_remainder=True)
    batches = batches.apply(tf.data.experimental.assert_cardinality(total_batches))
    return batches.prefetch(tf.data.AUTOTUNE)


def _epoch_permuted_chunks(ids: np.ndarray, seq_length: int, seed: int, epoch: tf.Variable):
    """The chunks in the order of the permutation drawn from ``(seed, epoch)``, read per iteration."""
    n_chunks = len(ids) // (seq_length + 1)
    chunks = tf.constant(ids[: n_chunks * (seq_length + 1)].reshape(n_chunks, seq_length + 1))

    def one_epoch(_):  # runs when an iterator starts, so it reads the epoch fit has just begun
        key = tf.stack([tf.constant(seed, tf.int64), epoch.read_value()])
        order = tf.random.experimental.stateless_shuffle(tf.range(n_chunks), seed=key)
        return tf.data.Dataset.from_tensor_slices(tf.gather(chunks, order))

    return tf.data.Dataset.from_tensors(0).flat_map(one_epoch)


def build_model(
    vocab_size: int, embedding_dim: int, units: int, dropout: float = 0.0, dtype_policy: str = "float32"
) -> keras.Model:
    """Embedding -> [Dropout] -> LSTM(return_sequences, return_state) -> [Dropout] -> Dense.

    The model maps int32 ids ``(batch, time)``, any length, to float32 logits
    ``(batch, time, vocab_size)``; the LSTM's final state is computed too, and
    :func:`rnnbook.generate.one_step_model` uses it. ``dropout`` in ``[0, 1)`` zeroes that
    share of the LSTM's inputs and of its outputs during training only (Srivastava et al.
    2014), on the non-recurrent connections, where Zaremba et al. (2014) put it: the
    recurrent connections are left alone, so the LSTM keeps its cuDNN kernel on a GPU.
    ``dropout=0`` adds no layer. Dropout has no weights: the same weight files load with or
    without it. ``dtype_policy`` is ``"float32"`` or ``"mixed_bfloat16"``
    (:mod:`rnnbook.precision`): the latter computes the embedding, dropout and LSTM in
    bfloat16 with float32 weights; the logits layer stays float32 either way, so the
    softmax and the loss see float32 logits (as Keras' mixed-precision guide advises). The
    weights are float32 under both policies: a file saved under one loads under the other.
    ValueError names a bad argument.
    """
    vocab_size = validate.positive_int("vocab_size", vocab_size)
    embedding_dim = validate.positive_int("embedding_dim", embedding_dim)
    units = validate.positive_int("units", units)
    dropout = validate.real("dropout", dropout)
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    if dtype_policy not in precision.POLICIES:
        raise ValueError(f"dtype_policy must be one of {precision.POLICIES}, got {dtype_policy!r}")
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name=LAYER_NAMES[0], dtype=dtype_policy)(ids)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="input_dropout", dtype=dtype_policy)(x)
    # On a GPU, insist on the cuDNN kernel (Keras raises if a setting rules it out)
    # instead of silently falling back to the several-times-slower generic loop.
    sequence, _h, _c = keras.layers.LSTM(
        units,
        return_sequences=True,
        return_state=True,
        use_cudnn=True if profiles.gpu_available() else "auto",
        name=LAYER_NAMES[1],
        dtype=dtype_policy,
    )(x)
    if dropout > 0:
        sequence = keras.layers.Dropout(dropout, name="dropout", dtype=dtype_policy)(sequence)
    logits = keras.layers.Dense(vocab_size, name=LAYER_NAMES[2], dtype="float32")(sequence)
    return keras.Model(ids, logits, name=f"char_lstm{units}")


def compile_model(model: keras.Model, learning_rate: float, decay_steps: int | None = None) -> keras.Model:
    """Adam and sparse categorical cross-entropy on logits (the loss is in nats per character).

    With ``decay_steps``, the learning rate follows a cosine from ``learning_rate`` down to
    zero over that many optimizer steps (Loshchilov & Hutter 2017, without restarts;
    ``keras.optimizers.schedules.CosineDecay``), and stays at zero after. The schedule is
    a function of the optimizer's step counter, so a run resumed from a backup that holds
    the optimizer's state continues on the same curve. ValueError names a bad argument.
    """
    learning_rate = validate.real("learning_rate", learning_rate, positive=True)
    if decay_steps is not None:
        decay_steps = validate.positive_int("decay_steps", decay_steps)
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
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


def weights_sha256(model: keras.Model) -> str:
    """SHA-256 of the model's weights, in order, as raw bytes: equal only when bit for bit equal."""
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight)).tobytes())
    return digest.hexdigest()


def train_quick(run_dir: Path, epochs: int, text_chars: int = 20_000, seed: int = 0):
    """Train a tiny model with per-epoch checkpoints and a backup that survives a kill.

    Returns ``(model, history)``; the history covers every epoch, those trained by an
    earlier, killed process included.
    """
    from rnnbook import checkpoints, data
    from rnnbook.vocab import CharVocab

    keras.utils.set_random_seed(seed)
    text = data.load_text("shakespeare", max_chars=text_chars)
    vocab = CharVocab.from_text(data.load_text("shakespeare"))
    train_text, val_text = split_text(text)
    order = EpochShuffle()
    train = make_dataset(vocab.encode(train_text), seq_length=50, batch_size=16, seed=seed, epoch=order)
    val = make_dataset(vocab.encode(val_text), seq_length=50, batch_size=16, shuffle=False)
    model = compile_model(build_model(len(vocab), 16, 64), learning_rate=0.003)
    backup = checkpoints.ExactBackup(run_dir / "backup")
    callbacks = [order, checkpoints.checkpoint_callback(run_dir / "checkpoints"), backup, EpochDone()]
    # shuffle=False: the pipeline shuffles; fit's own shuffle applies only to arrays.
    model.fit(train, validation_data=val, epochs=epochs, callbacks=callbacks, verbose=0, shuffle=False)
    return model, backup.history


def claim_run_dir(name: str, root=None) -> Path:
    """A run folder for chapter run ``name`` that no other running process is using.

    The folder is ``<root>/<name>``, where ``root`` is the environment variable
    ``RNNBOOK_RUN_DIR`` if set, else the argument, else ``runs``. When another live
    process holds it (several copies of a chapter running at once in one folder), the
    first free one of ``<name>-2``, ``<name>-3``, ... is used. The claim is a lock on
    ``.lock`` inside the folder, released by the operating system when the process ends
    (also when it is killed), so running the same notebook again after a crash gets its
    folder back and can resume the run in it. Calling again in the same process returns
    the same folder.
    """
    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        raise ValueError(f"name must be a folder name such as 'ch08', got {name!r}")
    root = Path(os.environ.get(RUN_DIR_ENV) or root or "runs").expanduser()
    for i in itertools.count(1):
        folder = root / (name if i == 1 else f"{name}-{i}")
        key = folder.resolve()
        if key in _CLAIMED:
            return folder
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / ".lock", "a+")  # noqa: SIM115 (held open: the lock lives with it)
        if _try_lock(handle):
            _CLAIMED[key] = handle
            return folder
        handle.close()
    raise AssertionError("unreachable")


_CLAIMED: dict[Path, object] = {}


def _try_lock(handle) -> bool:
    """An exclusive, non-blocking lock on an open file; False when another process holds it."""
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _pretrained_files(directory) -> tuple[Path, Path]:
    """``(weights, info)`` of the stored ``cpu`` run: in ``directory``, the repository, or downloaded."""
    from rnnbook import data

    places = [Path(directory)] if directory is not None else [PRETRAINED_DIR, Path("pretrained")]
    for folder in places:
        weights, info = folder / "ch08_cpu.weights.h5", folder / "ch08_cpu.json"
        if weights.is_file() and info.is_file():
            return weights, info
    if directory is not None:
        raise FileNotFoundError(
            f"no pretrained chapter-8 model in {directory}: expected ch08_cpu.weights.h5 and "
            f"ch08_cpu.json there (from the repository's chapters/pretrained/ or {PRETRAINED_URL})"
        )
    cache = data.data_dir() / "pretrained"
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("ch08_cpu.json", "ch08_cpu.weights.h5"):
        target = cache / name
        if not target.is_file():
            partial = target.with_name(f".partial-{name}")
            try:
                with urllib.request.urlopen(PRETRAINED_URL + name, timeout=30) as response:
                    partial.write_bytes(response.read())
            except OSError as err:
                partial.unlink(missing_ok=True)
                raise FileNotFoundError(
                    f"the pretrained chapter-8 model is not in {PRETRAINED_DIR} and could not be "
                    f"downloaded from {PRETRAINED_URL + name} ({err}); put ch08_cpu.weights.h5 and "
                    f"ch08_cpu.json in a folder and call load_pretrained(directory=...)"
                ) from err
            os.replace(partial, target)
        paths.append(target)
    return paths[1], paths[0]


def pretrained_info(directory=None) -> dict:
    """The stored ``cpu`` run's ``ch08_cpu.json``: sizes, loss history, sha256."""
    return json.loads(_pretrained_files(directory)[1].read_text())


def load_pretrained(directory=None):
    """Chapter 8's stored ``cpu`` model and its vocabulary, ``(model, vocab)``, in one call.

    Looks in ``directory`` if given, else in the repository's ``chapters/pretrained/``,
    else downloads the two files into ``rnnbook.data.data_dir()/pretrained``. The
    weights' SHA-256 is checked against ``ch08_cpu.json`` before loading (ValueError on
    a mismatch); :func:`pretrained_info` gives that file's content (sizes, history).
    The vocabulary is the one stored in the JSON, or the corpus's (downloaded and
    verified by :func:`rnnbook.data.load_text`) when the JSON predates it.
    """
    from rnnbook import checkpoints
    from rnnbook.vocab import CharVocab

    weights, info_path = _pretrained_files(directory)
    info = json.loads(info_path.read_text())
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != info["sha256"]:
        raise ValueError(
            f"{weights} is damaged or not the stored model: its sha256 is {digest[:16]}..., "
            f"{info_path.name} expects {info['sha256'][:16]}...; fetch both files again"
        )
    if "vocabulary" in info:
        vocab = CharVocab(info["vocabulary"])
    else:
        from rnnbook import data

        vocab = CharVocab.from_text(data.load_text("shakespeare"))
    sizes = info["sizes"]
    model = build_model(len(vocab), sizes["embedding_dim"], sizes["units"], sizes.get("dropout", 0.0))
    checkpoints.load_weights(model, weights)
    return model, vocab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook.shakespeare",
        description="Train a tiny Shakespeare model that resumes exactly after a kill.",
    )
    parser.add_argument("--run-dir", type=Path, required=True, help="checkpoints and the backup go here")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--text-chars", type=int, default=20_000)
    args = parser.parse_args(argv)
    model, history = train_quick(args.run_dir, args.epochs, args.text_chars)
    print(f"history: {json.dumps(history)}", flush=True)
    print(f"weights sha256: {weights_sha256(model)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
