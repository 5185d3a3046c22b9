"""Run profiles: one switch (``RNNBOOK_PROFILE``) sizes every chapter.

* ``quick``: what the tests use; every chapter runs in seconds on two CPU cores.
* ``cpu``:   a reader's laptop; meaningful results in minutes per chapter.
  The notebooks' stored outputs come from this profile.
* ``gpu``:   Colab with a GPU; the full-size models and epochs.

Every chapter reads its sizes from :data:`SIZES` below, so the sizes in force
are visible in one place (and printed by :func:`show`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from types import MappingProxyType, SimpleNamespace

PROFILE_ENV = "RNNBOOK_PROFILE"
PROFILES = ("quick", "cpu", "gpu")

# chapter -> profile -> sizes.  Same code path in every profile, only sizes differ.
SIZES: dict[str, dict[str, dict]] = {
    "ch01": {
        "quick": {"batch_size": 3, "n_steps": 4, "n_input": 2, "n_hidden": 3},
        "cpu": {"batch_size": 3, "n_steps": 4, "n_input": 2, "n_hidden": 3},
        "gpu": {"batch_size": 3, "n_steps": 4, "n_input": 2, "n_hidden": 3},
    },
    "ch02": {
        "quick": {"n_train": 256, "n_test": 64, "seq_len": 5, "n_hidden": 16,
                  "epochs": 3, "batch_size": 32, "learning_rate": 0.05,
                  "timing_sequences": 64},
        "cpu": {"n_train": 4000, "n_test": 500, "seq_len": 5, "n_hidden": 16,
                "epochs": 60, "batch_size": 32, "learning_rate": 0.05,
                "timing_sequences": 1000},
        "gpu": {"n_train": 4000, "n_test": 500, "seq_len": 5, "n_hidden": 16,
                "epochs": 60, "batch_size": 32, "learning_rate": 0.05,
                "timing_sequences": 1000},
    },
    "ch03": {
        "quick": {"seq_len": 50, "n_hidden": 32, "n_trials": 3, "train_steps": 30},
        "cpu": {"seq_len": 100, "n_hidden": 64, "n_trials": 20, "train_steps": 300},
        "gpu": {"seq_len": 100, "n_hidden": 64, "n_trials": 20, "train_steps": 300},
    },
    "ch04": {
        "quick": {"text_chars": 20_000, "n_hidden": 32, "seq_len": 25,
                  "batch_size": 8, "epochs": 1, "learning_rate": 0.1,
                  "sample_chars": 80},
        "cpu": {"text_chars": None, "n_hidden": 256, "seq_len": 50,
                "batch_size": 32, "epochs": 10, "learning_rate": 0.1,
                "sample_chars": 400},
        "gpu": {"text_chars": None, "n_hidden": 256, "seq_len": 50,
                "batch_size": 32, "epochs": 10, "learning_rate": 0.1,
                "sample_chars": 400},
    },
    # Part II placeholders: each chapter's author sets its own block.
    "ch05": {"quick": {"epochs": 2}, "cpu": {"epochs": 20}, "gpu": {"epochs": 20}},
    "ch06": {"quick": {"epochs": 2}, "cpu": {"epochs": 20}, "gpu": {"epochs": 20}},
    "ch07": {"quick": {"epochs": 1}, "cpu": {"epochs": 5}, "gpu": {"epochs": 20}},
}


def gpu_available() -> bool:
    """True when a GPU is visible, without importing TensorFlow if it is not loaded yet."""
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        return bool(tf.config.list_physical_devices("GPU"))
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        result = subprocess.run(["nvidia-smi", "-L"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and b"GPU" in result.stdout


def current() -> str:
    """The profile in force: ``$RNNBOOK_PROFILE``, else ``gpu`` with a GPU, else ``cpu``."""
    name = os.environ.get(PROFILE_ENV, "").strip().lower()
    if not name:
        return "gpu" if gpu_available() else "cpu"
    if name not in PROFILES:
        raise ValueError(
            f"{PROFILE_ENV}={name!r} is not a run profile; "
            f"use one of {', '.join(PROFILES)} (or leave it unset to auto-detect)."
        )
    return name


def sizes(chapter: str, profile: str | None = None) -> SimpleNamespace:
    """The sizes of ``chapter`` (e.g. ``"ch04"``) in ``profile`` (default: the one in force).

    Returns a namespace, so a chapter writes ``cfg.n_hidden``; ``cfg.profile`` names the profile.
    """
    if chapter not in SIZES:
        raise ValueError(f"unknown chapter {chapter!r}; known: {', '.join(sorted(SIZES))}")
    profile = profile or current()
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
    return SimpleNamespace(profile=profile, **SIZES[chapter][profile])


def show(cfg: SimpleNamespace) -> None:
    """Print the profile in force and the sizes it sets, one per line."""
    values = dict(vars(cfg))
    profile = values.pop("profile")
    print(f"profile: {profile}  (set {PROFILE_ENV}=quick|cpu|gpu to change)")
    width = max(map(len, values), default=0)
    for key, value in values.items():
        print(f"  {key:<{width}} = {value}")


# A read-only view for readers who want to compare profiles in a chapter.
ALL_SIZES = MappingProxyType(SIZES)
