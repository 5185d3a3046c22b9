"""Importing Keras quietly and reproducibly, for the Keras chapters (5 onwards).

``keras = rnnbook.keras_setup.load(seed=42)`` silences TensorFlow's C++ log lines
at the source (before the import), seeds Python, NumPy and TensorFlow, and returns
the ``keras`` module. :func:`describe` reports the device Keras will use, and
:class:`EpochLog` prints one tidy line every few epochs instead of a progress bar.
"""

from __future__ import annotations

import os

# Before TensorFlow is first imported (this module imports it below): silence its C++ logs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def load(seed: int | None = 42):
    """Import Keras (TensorFlow backend) with TF's log lines silenced; seed everything."""
    import keras

    if seed is not None:
        keras.utils.set_random_seed(seed)
    return keras


def describe() -> str:
    """One line: Keras and TensorFlow versions and the device training will run on."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    device = f"GPU ({gpus[0].name})" if gpus else f"CPU ({os.cpu_count()} cores)"
    return f"Keras {keras.__version__}, TensorFlow {tf.__version__}, device: {device}"


def _callback_base():
    import keras

    return keras.callbacks.Callback


class EpochLog(_callback_base()):
    """Print ``epoch N: loss=... val_loss=...`` every ``every`` epochs (and the last one)."""

    def __init__(self, every: int = 1, prefix: str = ""):
        super().__init__()
        if every <= 0:
            raise ValueError(f"every must be a positive number of epochs, got {every}")
        self.every = every
        self.prefix = prefix

    def on_train_begin(self, logs=None):
        self.planned = self.params.get("epochs") if self.params else None

    def on_epoch_end(self, epoch, logs=None):
        number = epoch + 1
        if number % self.every == 0 or number == self.planned:
            values = "  ".join(f"{key}={value:.4f}" for key, value in (logs or {}).items())
            print(f"{self.prefix}epoch {number}: {values}", flush=True)
