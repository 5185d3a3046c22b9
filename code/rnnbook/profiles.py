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
    # A NumPy chapter about shapes: tiny and the same everywhere, so every size is distinct.
    "ch01": {
        "quick": {
            "batch_size": 3,
            "n_steps": 4,
            "n_input": 2,
            "n_hidden": 5,
            "n_output": 1,
            "memory_steps": 30,
        },
        "cpu": {
            "batch_size": 3,
            "n_steps": 4,
            "n_input": 2,
            "n_hidden": 5,
            "n_output": 1,
            "memory_steps": 30,
        },
    },
    "ch02": {
        # NumPy only, so the gpu profile is the cpu one; the cpu run takes 1-1.5 min on 2 cores.
        "quick": {
            "n_train": 256,
            "n_test": 64,
            "seq_len": 5,
            "n_hidden": 16,
            "epochs": 5,
            "batch_size": 16,
            "learning_rate": 0.01,
            "timing_sequences": 64,
        },
        "cpu": {
            "n_train": 4000,
            "n_test": 500,
            "seq_len": 5,
            "n_hidden": 16,
            "epochs": 150,
            "batch_size": 16,
            "learning_rate": 0.01,
            "timing_sequences": 2048,
        },
    },
    # NumPy only.  The training runs use the same sequence lengths, seeds and rates in every
    # profile (only the number of steps differs), so the quick run shows the same first steps.
    "ch03": {
        "quick": {
            "seq_len": 50,
            "n_hidden": 64,
            "n_trials": 3,
            "input_scale": 0.1,
            "train_seq_len": 100,
            "short_seq_len": 10,
            "train_hidden": 32,
            "batch_size": 32,
            "learning_rate": 0.05,
            "recurrent_scale": 2.0,
            "centred_recurrent_scale": 1.0,
            "clip_value": 1.0,
            "clip_norm": 10.0,
            "train_steps": 30,
        },
        "cpu": {
            "seq_len": 100,
            "n_hidden": 64,
            "n_trials": 30,
            "input_scale": 0.1,
            "train_seq_len": 100,
            "short_seq_len": 10,
            "train_hidden": 32,
            "batch_size": 32,
            "learning_rate": 0.05,
            "recurrent_scale": 2.0,
            "centred_recurrent_scale": 1.0,
            "clip_value": 1.0,
            "clip_norm": 10.0,
            "train_steps": 2000,
        },
    },
    "ch04": {
        "quick": {
            "text_chars": 20_000,
            "n_hidden": 32,
            "seq_len": 25,
            "batch_size": 8,
            "epochs": 2,
            "learning_rate": 0.02,
            "clip_norm": 1.0,
            "evals_per_epoch": 4,
            "sample_chars": 80,
            "temperature_chars": 60,
        },
        "cpu": {
            "text_chars": None,
            "n_hidden": 256,
            "seq_len": 25,
            "batch_size": 32,
            "epochs": 24,
            "learning_rate": 0.02,
            "clip_norm": 1.0,
            "evals_per_epoch": 4,
            "sample_chars": 400,
            "temperature_chars": 250,
        },
    },
    "ch05": {
        # sum_*: the sum-of-5 task; add_*: the adding-problem sweep over sequence lengths.
        # cpu: about 5 min on two idle cores, most of it the sweep's longest sequences.
        "quick": {
            "units": 20,
            "batch_size": 32,
            "learning_rate": 0.01,
            "sum_train": 200,
            "sum_test": 100,
            "sum_epochs": 3,
            "add_lengths": (5, 10),
            "add_train": 200,
            "add_test": 100,
            "add_epochs": 2,
        },
        "cpu": {
            "units": 20,
            "batch_size": 32,
            "learning_rate": 0.01,
            "sum_train": 2000,
            "sum_test": 500,
            "sum_epochs": 20,
            "add_lengths": (10, 25, 50, 100, 200),
            "add_train": 3000,
            "add_test": 1000,
            "add_epochs": 25,
        },
        # gpu: the cpu sizes. These tiny models leave a GPU idle, and SimpleRNN has no cuDNN
        # kernel (a step-by-step loop, launch-bound on a GPU): a bigger sweep would only be slower.
        "gpu": {
            "units": 20,
            "batch_size": 32,
            "learning_rate": 0.01,
            "sum_train": 2000,
            "sum_test": 500,
            "sum_epochs": 20,
            "add_lengths": (10, 25, 50, 100, 200),
            "add_train": 3000,
            "add_test": 1000,
            "add_epochs": 25,
        },
    },
    "ch06": {
        # check_*: the random batch that compares NumPy with Keras; the rest: a small LSTM trained
        # on the adding problem whose gates the chapter reads. cpu: about 1 min of training.
        "quick": {
            "check_batch": 4,
            "check_steps": 12,
            "units": 8,
            "seq_len": 20,
            "n_train": 300,
            "n_test": 200,
            "epochs": 2,
            "batch_size": 32,
            "learning_rate": 0.01,
        },
        "cpu": {
            "check_batch": 4,
            "check_steps": 12,
            "units": 8,
            "seq_len": 40,
            "n_train": 4000,
            "n_test": 1000,
            "epochs": 20,
            "batch_size": 32,
            "learning_rate": 0.01,
        },
    },
    "ch07": {
        # demo_*: the one-sentence demo (one-hot SimpleRNN and LSTM, full batch). The rest: the
        # three-input comparison on Shakespeare, the same windows and budget for each model
        # (epochs x steps_per_epoch random batches); timing_rounds: interleaved one-step timings.
        # seeds: how many seeds train the one-hot and embedding models (the first one also the
        # scaled integer); the spread of their gap (issue 12: at least 3 seeds where time
        # allows). cpu: three seeds (7 trainings of LSTM(128)); gpu: three seeds at 10 epochs
        # (7 trainings of LSTM(512), 3,000 steps each).
        "quick": {
            "demo_length": 10,
            "demo_units": 32,
            "demo_epochs": 40,
            "text_chars": 40_000,
            "seq_length": 50,
            "batch_size": 32,
            "units": 32,
            "embedding_dim": 8,
            "learning_rate": 0.003,
            "epochs": 2,
            "steps_per_epoch": 10,
            "sample_chars": 60,
            "timing_rounds": 3,
            "seeds": 2,
        },
        "cpu": {
            "demo_length": 10,
            "demo_units": 32,
            "demo_epochs": 150,
            "text_chars": None,
            "seq_length": 100,
            "batch_size": 64,
            "units": 128,
            "embedding_dim": 32,
            "learning_rate": 0.003,
            "epochs": 6,
            "steps_per_epoch": 150,
            "sample_chars": 300,
            "timing_rounds": 20,
            "seeds": 3,
        },
        "gpu": {
            "demo_length": 10,
            "demo_units": 32,
            "demo_epochs": 150,
            "text_chars": None,
            "seq_length": 100,
            "batch_size": 64,
            "units": 512,
            "embedding_dim": 64,
            "learning_rate": 0.002,
            "epochs": 10,
            "steps_per_epoch": 300,
            "sample_chars": 500,
            "timing_rounds": 20,
            "seeds": 3,
        },
    },
    "ch08": {
        # quick: a tiny model on a slice of the corpus (seconds); cpu: LSTM(640), 15 epochs in
        # mixed bfloat16 (where the CPU has it; rnnbook.precision), 13-15 min of training on
        # two idle cores (the 15-minute goal of `rnnbook.bench stored-training`); gpu: the sizes
        # of the TensorFlow text-generation tutorial's model, Embedding(256) and 1024 units (the
        # tutorial's layer is a GRU; ours an LSTM).
        # resume_demo_*: the tiny run that shows exact resume, the same in every profile.
        # Every profile's model has dropout on the LSTM's inputs and outputs, and a cosine
        # decay to zero; the gpu model (1024 units, 30 epochs) has most parameters per training
        # character, hence the most dropout. dropout_demo_*: the small with/without dropout
        # experiment; stateful_*: the stateful vs chunk-reset comparison (same budget);
        # interpret_*: the passage the unit study reads; distribute_steps: the
        # MirroredStrategy demo's training steps; mixed_precision: train in bfloat16 where the CPU
        # has it (quick too, so that on such a CPU the tests take the cpu run's path); precision_steps: the
        # steps timed under each dtype policy (after one that builds the model).
        "quick": {
            "text_chars": 30_000,
            "seq_length": 50,
            "batch_size": 32,
            "embedding_dim": 16,
            "units": 64,
            "learning_rate": 0.003,
            "epochs": 4,
            "interrupt_after": 2,
            "sample_chars": 120,
            "speed_chars": 200,
            "naive_chars": 20,
            "resume_demo_chars": 20_000,
            "resume_demo_epochs": 3,
            "dropout": 0.1,
            "mixed_precision": True,
            "precision_steps": 1,
            "dropout_demo_chars": 8000,
            "dropout_demo_batch_size": 16,
            "dropout_demo_units": 32,
            "dropout_demo_embedding_dim": 8,
            "dropout_demo_epochs": 3,
            "dropout_demo_rate": 0.5,
            "dropout_demo_learning_rate": 0.006,
            "dropout_demo_val_chars": 3000,
            "stateful_units": 32,
            "stateful_embedding_dim": 16,
            "stateful_epochs": 2,
            "interpret_chars": 2500,
            "interpret_show_chars": 240,
            "distribute_steps": 3,
        },
        "cpu": {
            "text_chars": None,
            "seq_length": 100,
            "batch_size": 64,
            "embedding_dim": 256,
            "units": 640,
            "learning_rate": 0.003,
            "epochs": 15,
            "interrupt_after": 4,
            "sample_chars": 400,
            "speed_chars": 1000,
            "naive_chars": 60,
            "resume_demo_chars": 20_000,
            "resume_demo_epochs": 3,
            "dropout": 0.35,
            "mixed_precision": True,
            "precision_steps": 3,
            "dropout_demo_chars": 12_000,
            "dropout_demo_batch_size": 16,
            "dropout_demo_units": 256,
            "dropout_demo_embedding_dim": 32,
            "dropout_demo_epochs": 40,
            "dropout_demo_rate": 0.5,
            "dropout_demo_learning_rate": 0.006,
            "dropout_demo_val_chars": 20_000,
            "stateful_units": 128,
            "stateful_embedding_dim": 32,
            "stateful_epochs": 3,
            "interpret_chars": 20_000,
            "interpret_show_chars": 320,
            "distribute_steps": 20,
        },
        "gpu": {
            "text_chars": None,
            "seq_length": 100,
            "batch_size": 64,
            "embedding_dim": 256,
            "units": 1024,
            "learning_rate": 0.002,
            "epochs": 30,
            "interrupt_after": 10,
            "sample_chars": 800,
            "speed_chars": 2000,
            "naive_chars": 100,
            "resume_demo_chars": 20_000,
            "resume_demo_epochs": 3,
            "dropout": 0.4,
            "mixed_precision": False,
            "precision_steps": 3,
            "dropout_demo_chars": 12_000,
            "dropout_demo_batch_size": 16,
            "dropout_demo_units": 256,
            "dropout_demo_embedding_dim": 32,
            "dropout_demo_epochs": 40,
            "dropout_demo_rate": 0.5,
            "dropout_demo_learning_rate": 0.006,
            "dropout_demo_val_chars": 20_000,
            "stateful_units": 256,
            "stateful_embedding_dim": 64,
            "stateful_epochs": 5,
            "interpret_chars": 30_000,
            "interpret_show_chars": 320,
            "distribute_steps": 50,
        },
    },
    "ch09": {
        # Shakespeare (first text_chars, last 10% held out), the later-marker tagging task and
        # the adding problem. cpu: about 8 min on two idle cores, most of it GRU vs LSTM.
        # seeds: how many initial weights the GRU/LSTM comparison is repeated from (cpu: three,
        # a few minutes more; gpu: three, 6 trainings of about 3 s/epoch on a T4, estimated on the
        # instructors' page: 155 steps of ~20 ms).
        "quick": {
            "text_chars": 30_000,
            "seq_length": 50,
            "batch_size": 32,
            "embedding_dim": 16,
            "lstm_units": 32,
            "learning_rate": 0.005,
            "epochs": 2,
            "timing_steps": 3,
            "timing_rounds": 2,
            "peek_epochs": 1,
            "tag_seq_len": 24,
            "tag_symbols": 8,
            "tag_train": 512,
            "tag_test": 256,
            "tag_units": 8,
            "tag_epochs": 2,
            "add_len": 50,
            "add_train": 512,
            "add_test": 256,
            "add_units": 16,
            "attention_units": 16,
            "add_epochs": 2,
            "seeds": 2,
        },
        "cpu": {
            "text_chars": 500_000,
            "seq_length": 100,
            "batch_size": 64,
            "embedding_dim": 32,
            "lstm_units": 128,
            "learning_rate": 0.005,
            "epochs": 8,
            "timing_steps": 15,
            "timing_rounds": 4,
            "peek_epochs": 2,
            "tag_seq_len": 24,
            "tag_symbols": 8,
            "tag_train": 4000,
            "tag_test": 1000,
            "tag_units": 16,
            "tag_epochs": 15,
            "add_len": 100,
            "add_train": 4000,
            "add_test": 1000,
            "add_units": 32,
            "attention_units": 16,
            "add_epochs": 12,
            "seeds": 3,
        },
        "gpu": {
            "text_chars": None,
            "seq_length": 100,
            "batch_size": 64,
            "embedding_dim": 64,
            "lstm_units": 512,
            "learning_rate": 0.002,
            "epochs": 10,
            "timing_steps": 50,
            "timing_rounds": 3,
            "peek_epochs": 2,
            "tag_seq_len": 24,
            "tag_symbols": 8,
            "tag_train": 8000,
            "tag_test": 2000,
            "tag_units": 16,
            "tag_epochs": 20,
            "add_len": 200,
            "add_train": 8000,
            "add_test": 2000,
            "add_units": 32,
            "attention_units": 16,
            "add_epochs": 20,
            "seeds": 3,
        },
    },
    "ch10": {
        # ts_*: forecasting; sent_*: the synthetic sentiment set; the rest: Shakespeare -> Alice.
        # cpu: about 6-8 min on two idle cores, most of it the Shakespeare pretraining.
        # seeds: how many seeds repeat the fine-tune vs scratch comparison on Alice (cpu and
        # gpu: three).
        "quick": {
            "ts_steps": 1200,
            "ts_window": 24,
            "ts_units": 16,
            "ts_epochs": 3,
            "ts_horizon": 50,
            "ts_origins": 20,
            "sent_train": 600,
            "sent_test": 200,
            "sent_embedding": 8,
            "sent_units": 16,
            "sent_epochs": 3,
            "shakespeare_chars": 30_000,
            "alice_chars": 30_000,
            "seq_len": 50,
            "char_embedding": 16,
            "char_units": 32,
            "learning_rate": 0.003,
            "pretrain_batch": 32,
            "pretrain_epochs": 1,
            "finetune_batch": 32,
            "finetune_epochs": 2,
            "sample_chars": 60,
            "seeds": 2,
        },
        "cpu": {
            "ts_steps": 4000,
            "ts_window": 24,
            "ts_units": 32,
            "ts_epochs": 40,
            "ts_horizon": 50,
            "ts_origins": 100,
            "sent_train": 4000,
            "sent_test": 1000,
            "sent_embedding": 16,
            "sent_units": 32,
            "sent_epochs": 10,
            "shakespeare_chars": None,
            "alice_chars": None,
            "seq_len": 100,
            "char_embedding": 64,
            "char_units": 256,
            "learning_rate": 0.003,
            "pretrain_batch": 64,
            "pretrain_epochs": 6,
            "finetune_batch": 32,
            "finetune_epochs": 12,
            "sample_chars": 300,
            "seeds": 3,
        },
        "gpu": {
            "ts_steps": 4000,
            "ts_window": 24,
            "ts_units": 64,
            "ts_epochs": 60,
            "ts_horizon": 50,
            "ts_origins": 100,
            "sent_train": 8000,
            "sent_test": 2000,
            "sent_embedding": 16,
            "sent_units": 64,
            "sent_epochs": 15,
            "shakespeare_chars": None,
            "alice_chars": None,
            "seq_len": 100,
            "char_embedding": 128,
            "char_units": 512,
            "learning_rate": 0.002,
            "pretrain_batch": 64,
            "pretrain_epochs": 20,
            "finetune_batch": 32,
            "finetune_epochs": 20,
            "sample_chars": 500,
            "seeds": 3,
        },
    },
    "ch11": {
        # Dates to ISO: n_dates drawn (before ambiguous and repeated inputs are removed), two
        # encoder-decoders (without and with attention) on the same budget, then greedy and
        # beam search over the test set. The budget is short on purpose: at 40,000 dates and 5
        # epochs the cpu run gave 99.0% and 100.0% exact match, leaving little to compare.
        "quick": {
            "n_dates": 2000,
            "embedding_dim": 16,
            "units": 32,
            "learning_rate": 0.005,
            "batch_size": 64,
            "epochs": 2,
            "beam_width": 3,
        },
        "cpu": {
            "n_dates": 30_000,
            "embedding_dim": 32,
            "units": 64,
            "learning_rate": 0.003,
            "batch_size": 64,
            "epochs": 3,
            "beam_width": 4,
        },
        "gpu": {
            "n_dates": 60_000,
            "embedding_dim": 32,
            "units": 128,
            "learning_rate": 0.003,
            "batch_size": 128,
            "epochs": 4,
            "beam_width": 5,
        },
    },
}

# The NumPy chapters and chapter 6's small models gain nothing from a GPU: their gpu
# profile is their cpu profile.
for _chapter in ("ch01", "ch02", "ch03", "ch04", "ch06"):
    SIZES[_chapter]["gpu"] = dict(SIZES[_chapter]["cpu"])


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
