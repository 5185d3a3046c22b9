"""Importing Keras quietly and reproducibly, for the Keras chapters (5 onwards).

``keras = rnnbook.keras_setup.load(seed=42)`` silences TensorFlow's C++ log lines
at the source (before the import), seeds Python, NumPy and TensorFlow, and returns
the ``keras`` module. :func:`describe` reports the device Keras will use, and
:class:`EpochLog` prints one tidy line every few epochs instead of a progress bar.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

# Before TensorFlow is first imported (this module imports it below): silence its C++ logs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# Lines TensorFlow's C++ start-up writes straight to file descriptor 2 *before* its logging
# is set up, so TF_CPP_MIN_LOG_LEVEL cannot stop them (TF 2.17+: "All log messages before
# absl::InitializeLog() ..." and the oneDNN notice, once per native library).
_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|TF-TRT Warning|computation placer already registered"
    r"|This TensorFlow binary is optimized to use|rebuild TensorFlow with the appropriate compiler flags"
)


@contextlib.contextmanager
def _without_startup_noise():
    """Capture what native code writes to stderr meanwhile; pass on all but the start-up noise."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable file descriptor 2: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [
                line
                for line in capture.read().decode("utf-8", "replace").splitlines()
                if line.strip() and not _STARTUP_NOISE.search(line)
            ]
            if kept:  # anything else (a real warning or error) still reaches the reader
                print("\n".join(kept), file=sys.stderr)


def _import_keras():
    """``import keras`` (and with it TensorFlow) without TensorFlow's start-up lines."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    with _without_startup_noise():
        import keras
    return keras


def load(seed: int | None = 42):
    """Import Keras (TensorFlow backend) with TF's log lines silenced; seed everything."""
    keras = _import_keras()

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
    return _import_keras().callbacks.Callback


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
