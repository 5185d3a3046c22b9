"""Benchmarks: ``python -m rnnbook.bench charrnn|generation|pipeline|training``.

``generation``, ``pipeline`` and ``training`` are chapter 8's, in
:mod:`rnnbook.bench_shakespeare`; ``charrnn`` is chapter 4's, below.

``charrnn`` measures what chapter 4 relies on: training a character RNN on B streams
at once (one forward, backward and Adagrad update per chunk of ``B x T`` characters)
against a loop that trains on one sequence at a time, at the same hidden size, on the
same characters. It prints characters per second for both, their ratio, and the largest
relative difference between the batch gradient and the mean of the per-sequence
gradients (they must agree: the batch loss is the mean of the per-sequence losses).
It prints figures and asserts nothing; timings on a shared machine are noisy, so the
two trainers run back to back in the same process. On a machine busy with other jobs,
set ``OPENBLAS_NUM_THREADS=1`` (or ``OMP_NUM_THREADS=1``): a multi-threaded BLAS that
competes for cores can make the batched trainer far slower than it is on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from rnnbook import numpy_rnn as rnn
from rnnbook.gradcheck import relative_error

VOCAB_SIZE = 65  # the characters of tiny Shakespeare
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def synthetic_ids(n_chars: int, vocab_size: int, rng: np.random.Generator) -> np.ndarray:
    """Random character ids: the speed of one step does not depend on which characters they are."""
    return rng.integers(0, vocab_size, size=n_chars)


def train_step(
    params: dict, optimizer, inputs: np.ndarray, targets: np.ndarray, h0: np.ndarray, clip: float = 5.0
):
    """One truncated-BPTT update on ``inputs``/``targets`` (B, T) ids; returns (loss, last state)."""
    eye = np.eye(params["Wxh"].shape[0], dtype=params["Wxh"].dtype)
    xs = eye[inputs]
    ys, hs = rnn.forward(params, xs, h0)
    loss, dys = rnn.softmax_cross_entropy(ys, targets)
    grads, _ = rnn.backward(params, xs, hs, dys)
    optimizer.update(params, rnn.clip_by_norm(grads, clip))
    return loss, hs[:, -1]


def chunks(ids: np.ndarray, batch: int, seq_len: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (inputs, targets) chunks of ``ids`` as B contiguous streams (as chapter 4 trains)."""
    return list(rnn.stream_batches(ids, batch, seq_len))


def time_batched(params: dict, batches: list, learning_rate: float = 0.02) -> float:
    """Seconds to train on every chunk, all B streams at once (one update per chunk)."""
    optimizer = rnn.Adagrad(learning_rate)
    batch = batches[0][0].shape[0]
    h = np.zeros((batch, params["Whh"].shape[0]), dtype=params["Whh"].dtype)
    start = time.perf_counter()
    for inputs, targets in batches:
        _, h = train_step(params, optimizer, inputs, targets, h)
    return time.perf_counter() - start


def time_per_sequence(params: dict, batches: list, learning_rate: float = 0.02) -> float:
    """Seconds to train on the same characters one sequence at a time (one update per sequence)."""
    optimizer = rnn.Adagrad(learning_rate)
    batch = batches[0][0].shape[0]
    states = np.zeros((batch, 1, params["Whh"].shape[0]), dtype=params["Whh"].dtype)
    start = time.perf_counter()
    for inputs, targets in batches:
        for b in range(batch):  # stream b continues from its own carried state
            _, states[b] = train_step(params, optimizer, inputs[b : b + 1], targets[b : b + 1], states[b])
    return time.perf_counter() - start


def gradients(params: dict, inputs: np.ndarray, targets: np.ndarray, h0: np.ndarray) -> dict:
    """dL/dparams of the mean cross-entropy over ``inputs`` (B, T) ids, from state ``h0`` (B, H)."""
    eye = np.eye(params["Wxh"].shape[0], dtype=params["Wxh"].dtype)
    xs = eye[inputs]
    ys, hs = rnn.forward(params, xs, h0)
    _, dys = rnn.softmax_cross_entropy(ys, targets)
    grads, _ = rnn.backward(params, xs, hs, dys)
    return grads


def gradient_agreement(
    params: dict, inputs: np.ndarray, targets: np.ndarray, h0: np.ndarray
) -> dict[str, float]:
    """Relative difference, per parameter, between the batch gradient and the mean of the
    per-sequence gradients (0 up to rounding: the batch loss is the mean of the sequences')."""
    batch_grads = gradients(params, inputs, targets, h0)
    per_sequence = [
        gradients(params, inputs[b : b + 1], targets[b : b + 1], h0[b : b + 1])
        for b in range(inputs.shape[0])
    ]
    return {
        name: relative_error(batch_grads[name], np.mean([g[name] for g in per_sequence], axis=0))
        for name in params
    }


def positive_int(text: str) -> int:
    """argparse type: a positive integer, or a message saying what was given."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def charrnn(args: argparse.Namespace) -> dict[str, float]:
    """Run the char-RNN benchmark, print its figures and return them."""
    dtype = np.dtype(args.dtype)
    rng = np.random.default_rng(args.seed)
    n_chars = args.chunks * args.batch * args.seq_len + 1
    batches = chunks(synthetic_ids(n_chars, VOCAB_SIZE, rng), args.batch, args.seq_len)
    trained = batches[0][0].size * len(batches)
    print(
        f"char-RNN training, vocabulary {VOCAB_SIZE}, hidden {args.hidden}, {dtype}: "
        f"{len(batches)} chunks of {args.batch} streams x {args.seq_len} steps "
        f"= {trained:,} characters per trainer"
    )
    threads = {name: os.environ[name] for name in BLAS_THREAD_VARIABLES if name in os.environ}
    print(f"BLAS thread settings: {threads or 'none (the library default)'}")

    def fresh_params():  # both trainers start from the same weights
        return rnn.init_params(
            VOCAB_SIZE, args.hidden, VOCAB_SIZE, np.random.default_rng(args.seed), dtype=dtype
        )

    time_batched(fresh_params(), batches[:1])  # warm-up: first-call costs out of the timing
    batched_s = time_batched(fresh_params(), batches)
    sequential_s = time_per_sequence(fresh_params(), batches)
    batched_rate, sequential_rate = trained / batched_s, trained / sequential_s
    print(f"batched ({args.batch} streams at once): {batched_rate:12,.0f} chars/s  ({batched_s:.2f} s)")
    print(f"one sequence at a time:      {sequential_rate:12,.0f} chars/s  ({sequential_s:.2f} s)")
    print(f"speed-up: {batched_rate / sequential_rate:.1f}x")
    if batched_rate < sequential_rate:
        print(
            "hint: the batched trainer lost; on a busy machine a multi-threaded BLAS competes for "
            "cores: run again with OPENBLAS_NUM_THREADS=1"
        )

    # Gradient agreement in float64, from a random carried state, so rounding is tiny.
    params64 = rnn.init_params(VOCAB_SIZE, args.hidden, VOCAB_SIZE, np.random.default_rng(args.seed))
    inputs, targets = batches[0]
    h0 = np.tanh(rng.standard_normal((args.batch, args.hidden)))
    differences = gradient_agreement(params64, inputs, targets, h0)
    worst = max(differences, key=differences.get)
    print(
        f"gradient check: batch gradient vs mean of {args.batch} per-sequence gradients, "
        f"max relative difference {differences[worst]:.2e} (in {worst})"
    )
    return {
        "batched_chars_per_s": batched_rate,
        "sequential_chars_per_s": sequential_rate,
        "speedup": batched_rate / sequential_rate,
        "max_relative_difference": differences[worst],
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rnnbook.bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    char = commands.add_parser("charrnn", help="batched vs one-sequence-at-a-time char-RNN training")
    char.add_argument("--hidden", type=positive_int, default=256, help="hidden units (default 256)")
    char.add_argument("--batch", type=positive_int, default=32, help="streams trained at once (default 32)")
    char.add_argument("--seq-len", type=positive_int, default=25, help="BPTT steps per chunk (default 25)")
    char.add_argument("--chunks", type=positive_int, default=40, help="chunks to train on (default 40)")
    char.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        default="float32",
        help="parameter type for the timings (default float32, as chapter 4 trains)",
    )
    char.add_argument("--seed", type=int, default=0)
    char.set_defaults(run=charrnn)
    for name, text in [
        ("generation", "chars/s of chapter 8's generator against the seed's loop"),
        ("pipeline", "peak memory of chapter 8's training data against one-hot windows"),
        ("training", "validation loss and training time of chapter 8's cpu profile"),
    ]:
        sub = commands.add_parser(name, help=text)
        if name == "generation":
            sub.add_argument("--units", type=positive_int, default=1024, help="LSTM size (default 1024)")
            sub.add_argument("--chars", type=positive_int, default=300, help="characters per prompt")
            sub.add_argument(
                "--naive-chars", type=positive_int, default=20, help="characters for the seed's loop"
            )
        sub.set_defaults(run=shakespeare)
    return parser


def shakespeare(args: argparse.Namespace) -> None:
    """Chapter 8's benchmarks (TensorFlow is imported only for these)."""
    from rnnbook import bench_shakespeare

    options = []
    if args.command == "generation":
        options = [
            "--units",
            str(args.units),
            "--chars",
            str(args.chars),
            "--naive-chars",
            str(args.naive_chars),
        ]
    bench_shakespeare.main([args.command, *options])


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
