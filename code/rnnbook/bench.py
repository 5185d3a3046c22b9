"""Benchmarks: ``python -m rnnbook.bench charrnn|generation|pipeline|precision|stored-training``.

Every figure is printed with its goal and whether this run met it. Nothing is asserted:
timings on a shared machine are noisy, so what is compared runs side by side in one
process, and the speeds are the best of several rounds.

* ``charrnn`` (chapter 4) measures what chapter 4 relies on: training a character RNN on B streams
at once (one forward, backward and Adagrad update per chunk of ``B x T`` characters)
against a loop that trains on one sequence at a time, at the same hidden size, on the
same characters. It prints characters per second for both, their ratio, and the largest
relative difference between the batch gradient and the mean of the per-sequence
gradients (they must agree: the batch loss is the mean of the per-sequence losses).
The two trainers run back to back in the same process. On a machine busy with other jobs,
set ``OPENBLAS_NUM_THREADS=1`` (or ``OMP_NUM_THREADS=1``): a multi-threaded BLAS that
competes for cores can make the batched trainer far slower than it is on an idle machine.
* ``generation`` (chapter 8) measures this machine's own ceilings in the same run (the
  products per second of one matrix product with the LSTM's ``(embedding + units) x
  4 units`` float32 weights, at batch 1 and batch 16: one LSTM step cannot be faster)
  and prints :class:`rnnbook.generate.CharGenerator`'s characters per second as a
  fraction of each, beside the seed's loop (``model.predict`` on the last 100
  characters for every new one). Same Embedding(65, 256) -> LSTM(1024) -> Dense(65)
  model with random weights (speed does not depend on the weights).
* ``pipeline`` (chapter 8): peak memory of building the Shakespeare training pipeline
  (ids + ``tf.data``, one full pass), against the 29 GB that one-hot stride-1 windows need.
* ``precision`` (chapter 8): seconds per training step of the ``cpu`` profile's model
  (its sizes, a random batch) under the ``float32`` and the ``mixed_bfloat16`` dtype
  policies, rounds alternating, best of each, and their ratio; it says whether this CPU
  multiplies bfloat16 natively (:mod:`rnnbook.precision`).
* ``stored-training`` (chapter 8): the validation loss and training time that the
  stored ``cpu`` run of chapter 8 recorded in ``chapters/pretrained/ch08_cpu.json``
  (the loss as training measured it and, for a mixed-precision run, re-measured in
  float32; the goal holds only if both meet it). It reads them; it does not train.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from rnnbook import numpy_rnn as rnn
from rnnbook.gradcheck import relative_error

VOCAB_SIZE = 65  # the characters of tiny Shakespeare
SHAKESPEARE_CHARS = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
REPO = Path(__file__).resolve().parents[2]
PRETRAINED_INFO = REPO / "chapters" / "pretrained" / "ch08_cpu.json"

# Goals: each printed figure is compared with one of these.
GOAL_CHARRNN_SPEEDUP = 10.0  # batched training over one sequence at a time (chapter 4)
GOAL_GRADIENT_DIFFERENCE = 1e-12  # batch gradient vs mean of per-sequence gradients
GOAL_FRACTION_OF_CEILING = 0.5  # the generator's chars/s over the product ceiling's
GOAL_SPEEDUP_OVER_SEED_LOOP = 100.0  # the generator over the seed's loop, batch 1
GOAL_PIPELINE_BYTES = 1e9  # training data pipeline, peak memory growth
GOAL_VAL_LOSS = 1.47  # nats/char, the cpu profile (nanoGPT's baby GPT reports 1.4697)
GOAL_TRAIN_MINUTES = 15.0  # on two CPU cores
GOAL_BF16_SPEEDUP = 1.3  # mixed_bfloat16 over float32 training steps, where bfloat16 is native


def verdict(met: bool) -> str:
    """``'met'`` or ``'NOT met'``, for a goal's line."""
    return "met" if met else "NOT met"


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
        f"char-RNN training, vocabulary {VOCAB_SIZE}, hidden {args.hidden}, {dtype}:\n"
        f"  {len(batches)} chunks of {args.batch} streams x {args.seq_len} steps "
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
    print("  (the two speeds have no goal of their own; their ratio has)")
    speedup = batched_rate / sequential_rate
    print(
        f"speed-up: {speedup:.1f}x (goal >= {GOAL_CHARRNN_SPEEDUP:.0f}x: "
        f"{verdict(speedup >= GOAL_CHARRNN_SPEEDUP)})"
    )
    if batched_rate < sequential_rate:
        print(
            "hint: the batched trainer lost; on a busy machine a multi-threaded BLAS\n"
            "  competes for cores: run again with OPENBLAS_NUM_THREADS=1"
        )

    # Gradient agreement in float64, from a random carried state, so rounding is tiny.
    params64 = rnn.init_params(VOCAB_SIZE, args.hidden, VOCAB_SIZE, np.random.default_rng(args.seed))
    inputs, targets = batches[0]
    h0 = np.tanh(rng.standard_normal((args.batch, args.hidden)))
    differences = gradient_agreement(params64, inputs, targets, h0)
    worst = max(differences, key=differences.get)
    print(
        f"gradient check: batch gradient vs mean of {args.batch} per-sequence gradients,\n"
        f"  max relative difference {differences[worst]:.2e} (in {worst}) "
        f"(goal < {GOAL_GRADIENT_DIFFERENCE:.0e}: {verdict(differences[worst] < GOAL_GRADIENT_DIFFERENCE)})"
    )
    return {
        "batched_chars_per_s": batched_rate,
        "sequential_chars_per_s": sequential_rate,
        "speedup": batched_rate / sequential_rate,
        "max_relative_difference": differences[worst],
    }


def _char_model(units: int, embedding_dim: int = 256, seed: int = 0):
    """Chapter 8's model with random weights, and tiny Shakespeare's 65-character vocabulary."""
    from rnnbook import shakespeare
    from rnnbook.vocab import CharVocab

    shakespeare.keras.utils.set_random_seed(seed)
    vocab = CharVocab(SHAKESPEARE_CHARS)
    return shakespeare.build_model(len(vocab), embedding_dim, units), vocab


def product_seconds(batch: int, rows: int, cols: int, repeats: int = 50) -> dict[str, float]:
    """Seconds per ``(batch, rows) @ (rows, cols)`` float32 product, in NumPy and in TensorFlow.

    TensorFlow's products run ``repeats`` at a time inside one compiled loop (each one
    depends on the previous one, so none can be skipped), NumPy's in a Python loop.
    """
    import tensorflow as tf

    rng = np.random.default_rng(0)
    weights = (rng.standard_normal((rows, cols)) / np.sqrt(rows)).astype(np.float32)
    x = rng.standard_normal((batch, rows), dtype=np.float32)
    start = time.perf_counter()
    for _ in range(repeats):
        x @ weights
    numpy_s = (time.perf_counter() - start) / repeats

    chain, x, weights = _product_chain(), tf.constant(x), tf.constant(weights)
    chain(x, weights, tf.constant(1)).numpy()  # compile outside the timing
    start = time.perf_counter()
    chain(x, weights, tf.constant(repeats)).numpy()
    return {"numpy": numpy_s, "tensorflow": (time.perf_counter() - start) / repeats}


@functools.cache
def _product_chain():
    """A compiled loop of ``n`` products ``x @ weights``, each depending on the one before."""
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def chain(x, weights, n):
        y = tf.zeros([tf.shape(x)[0], tf.shape(weights)[1]])
        for _ in tf.range(n):
            y = tf.matmul(x + 0.0 * y[:, :1], weights)
        return y

    return chain


def chars_per_second(generate_fn, n_chars: int) -> float:
    """``n_chars`` over the seconds that ``generate_fn()`` takes."""
    start = time.perf_counter()
    generate_fn()
    return n_chars / (time.perf_counter() - start)


def bench_generation(
    units: int = 1024, chars: int = 2000, naive_chars: int = 20, batch: int = 16, rounds: int = 3
) -> dict:
    """chars/s of the generator at batch 1 and ``batch``, the seed's loop and the ceilings.

    The ceiling at batch B is B characters per product time: one LSTM step multiplies at
    least that much. Ceilings and the generator alternate for ``rounds`` rounds and each
    figure is the best of its rounds, so that a busy moment on a shared machine does not
    land on one side only.
    """
    from rnnbook.generate import CharGenerator, naive_generate

    model, vocab = _char_model(units)
    rows, cols = model.get_layer("embedding").output_dim + units, 4 * units
    prompt = "ROMEO:\n"
    generator = CharGenerator(model, vocab, seed=0)
    for size in (1, batch):  # compile (trace) before timing
        generator.generate([prompt] * size, 5)
    naive_generate(model, vocab, prompt * 15, 2)
    best: dict[str, float] = {}

    def keep(key, value):
        best[key] = max(best.get(key, 0.0), value)

    def generator_speed(size):
        return chars_per_second(lambda: generator.generate([prompt] * size, chars), size * chars)

    for _ in range(rounds):
        for size in (1, batch):
            for library, seconds in product_seconds(size, rows, cols).items():
                keep(f"ceiling_batch{size}_{library}", size / seconds)
            keep(f"ours_batch{size}", generator_speed(size))
    naive = chars_per_second(lambda: naive_generate(model, vocab, prompt * 15, naive_chars), naive_chars)
    result = {"units": units, "rows": rows, "cols": cols, "batch": batch, "naive_batch1": naive, **best}
    for size in (1, batch):
        ceiling = max(best[f"ceiling_batch{size}_numpy"], best[f"ceiling_batch{size}_tensorflow"])
        result[f"ceiling_batch{size}"] = ceiling
        result[f"fraction_batch{size}"] = best[f"ours_batch{size}"] / ceiling
    result["speedup_batch1"] = best["ours_batch1"] / naive
    return result


def print_generation(r: dict) -> None:
    """The figures of :func:`bench_generation`, each with its goal (lines of at most 80 chars)."""
    goal = GOAL_FRACTION_OF_CEILING
    print(f"generation: Embedding(65, 256) -> LSTM({r['units']}) -> Dense(65), random weights")
    print(f"ceilings: one float32 product with the LSTM's {r['rows']} x {r['cols']} weights")
    for size in (1, r["batch"]):
        numpy_rate = r[f"ceiling_batch{size}_numpy"]
        tf_rate = r[f"ceiling_batch{size}_tensorflow"]
        print(
            f"  batch {size:2d}: {r[f'ceiling_batch{size}']:9,.0f} chars/s "
            f"(NumPy {numpy_rate:,.0f}, TensorFlow {tf_rate:,.0f})"
        )
    print("  (the ceilings are this machine's limits: they have no goal)")
    naive_fraction = r["naive_batch1"] / r["ceiling_batch1"]
    print(f"seed's loop, batch 1: {r['naive_batch1']:9,.1f} chars/s = {naive_fraction:6.1%} of ceiling")
    print("  (the seed's loop has no goal: it is what we compare with)")
    for size in (1, r["batch"]):
        fraction = r[f"fraction_batch{size}"]
        print(
            f"CharGenerator batch {size:2d}: {r[f'ours_batch{size}']:,.0f} chars/s "
            f"= {fraction:.0%} of ceiling (goal >= {goal:.0%}: {verdict(fraction >= goal)})"
        )
    speedup, goal_x = r["speedup_batch1"], GOAL_SPEEDUP_OVER_SEED_LOOP
    print(
        f"speed-up over the seed's loop, batch 1: {speedup:,.0f}x "
        f"(goal >= {goal_x:.0f}x: {verdict(speedup >= goal_x)})"
    )


def generation(args: argparse.Namespace) -> dict:
    """Run the generation benchmark, print its figures and return them."""
    result = bench_generation(args.units, args.chars, args.naive_chars, args.batch, args.rounds)
    print_generation(result)
    return result


def bench_pipeline(seq_length: int = 100, batch_size: int = 64, vocab_size: int = 65) -> dict:
    """Peak memory of ids + tf.data pipeline + one full pass, against one-hot windows."""
    from rnnbook import data, shakespeare  # TensorFlow is imported before measuring
    from rnnbook.vocab import CharVocab

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    text = data.load_text("shakespeare")
    vocab = CharVocab.from_text(text)
    train_text, _ = shakespeare.split_text(text)
    ids = vocab.encode(train_text)
    batches = sum(1 for _ in shakespeare.make_dataset(ids, seq_length, batch_size))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    n_windows = len(text) - seq_length + 1
    return {
        "batches": batches,
        "tracemalloc_peak_bytes": traced_peak,
        "maxrss_growth_bytes": rss_after - rss_before,
        "maxrss_bytes": rss_after,
        "one_hot_windows_bytes": n_windows * seq_length * vocab_size * 4,
    }


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:.3f} GB"


def pipeline(args: argparse.Namespace) -> dict:
    """Run the pipeline benchmark, print its figures and return them."""
    r = bench_pipeline()
    peak = max(r["tracemalloc_peak_bytes"], r["maxrss_growth_bytes"])
    print(f"pipeline: ids + tf.data, one full pass over {r['batches']} training batches of 64 x 100")
    print(f"  tracemalloc peak (Python and NumPy): {_gb(r['tracemalloc_peak_bytes'])}")
    print(f"  ru_maxrss growth while building it:  {_gb(r['maxrss_growth_bytes'])}")
    print(f"    (process total {_gb(r['maxrss_bytes'])}, TensorFlow included)")
    print(f"  one-hot float32 stride-1 windows:    {_gb(r['one_hot_windows_bytes'])} (for comparison)")
    print(
        f"  larger of the first two: {_gb(peak)} "
        f"(goal <= {_gb(GOAL_PIPELINE_BYTES)}: {verdict(peak <= GOAL_PIPELINE_BYTES)})"
    )
    return r


def bench_precision(rounds: int = 3, steps: int = 3) -> dict:
    """Seconds per training step of chapter 8's ``cpu`` model under each dtype policy.

    One random ``(batch_size, seq_length)`` batch of the cpu profile's sizes; each round
    times ``steps`` steps of a float32 model, then of a mixed_bfloat16 one (built from the
    same seed), after a first step that builds them; the best round of each is kept.
    """
    from rnnbook import precision, profiles, shakespeare

    cfg = profiles.SIZES["ch08"]["cpu"]
    rng = np.random.default_rng(0)
    ids = rng.integers(0, VOCAB_SIZE, size=(cfg["batch_size"], cfg["seq_length"] + 1)).astype(np.int32)
    inputs, targets = ids[:, :-1], ids[:, 1:]
    models = {}
    for policy in precision.POLICIES:
        shakespeare.keras.utils.set_random_seed(0)
        model = shakespeare.build_model(
            VOCAB_SIZE, cfg["embedding_dim"], cfg["units"], dropout=cfg["dropout"], dtype_policy=policy
        )
        models[policy] = shakespeare.compile_model(model, cfg["learning_rate"])
        models[policy].train_on_batch(inputs, targets)
    best = dict.fromkeys(precision.POLICIES, float("inf"))
    for _ in range(rounds):
        for policy, model in models.items():
            start = time.perf_counter()
            for _ in range(steps):
                model.train_on_batch(inputs, targets)
            best[policy] = min(best[policy], (time.perf_counter() - start) / steps)
    return {
        "units": cfg["units"],
        "batch": cfg["batch_size"],
        "seq_length": cfg["seq_length"],
        "native_bfloat16": precision.native_bfloat16(),
        "seconds": best,
        "speedup": best["float32"] / best["mixed_bfloat16"],
    }


def precision_speed(args: argparse.Namespace) -> dict:
    """Print float32 against mixed_bfloat16 training steps, with the goal's verdict."""
    r = bench_precision()
    print(f"chapter 8's cpu model, LSTM({r['units']}), one training step of {r['batch']} x {r['seq_length']}")
    print("characters (best of 3 rounds, side by side):")
    for policy, seconds in r["seconds"].items():
        print(f"  {policy:<15} {seconds:7.3f} s/step")
    if r["native_bfloat16"]:
        met = verdict(r["speedup"] >= GOAL_BF16_SPEEDUP)
        print(f"  float32 / mixed_bfloat16: {r['speedup']:.2f}x (goal >= {GOAL_BF16_SPEEDUP}: {met})")
    else:
        print(f"  float32 / mixed_bfloat16: {r['speedup']:.2f}x")
        print("  this CPU has no native bfloat16: chapter 8 trains in float32 here (no goal)")
    return r


def stored_training(args: argparse.Namespace) -> dict:
    """Print the cpu profile's result as the stored chapter 8 run recorded it (no training)."""
    if not PRETRAINED_INFO.is_file():
        raise FileNotFoundError(
            f"{PRETRAINED_INFO} is missing: run chapter 8 in the cpu profile with "
            f"RNNBOOK_PUBLISH_PRETRAINED=1 (see the chapter)"
        )
    r = json.loads(PRETRAINED_INFO.read_text())
    minutes = r["train_seconds"] / 60
    print(f"stored record of chapter 8's cpu run ({PRETRAINED_INFO.relative_to(REPO)}):")
    print("  (read from the file; this command does no training)")
    losses = [r["val_loss"]] + ([r["val_loss_float32"]] if "val_loss_float32" in r else [])
    met = verdict(max(losses) <= GOAL_VAL_LOSS)
    if len(losses) == 1:
        print(
            f"  best validation loss: {r['val_loss']:.4f} nats/char, epoch {r['epoch']} "
            f"(goal <= {GOAL_VAL_LOSS}: {met})"
        )
    else:
        policy = r.get("dtype_policy", "float32")
        print(
            f"  best validation loss in training ({policy}): "
            f"{r['val_loss']:.4f} nats/char, epoch {r['epoch']}"
        )
        print(f"  the same weights in float32: {r['val_loss_float32']:.4f} nats/char")
        print(f"  larger of the two: {max(losses):.4f} (goal <= {GOAL_VAL_LOSS}: {met})")
    print(
        f"  training time: {minutes:.1f} min for {r['epochs']} epochs "
        f"(goal <= {GOAL_TRAIN_MINUTES:.0f} min: {verdict(minutes <= GOAL_TRAIN_MINUTES)})"
    )
    print(f"  recorded on: {r['device']}")
    return r


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook.bench", description=__doc__.splitlines()[0].replace("``", "")
    )
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
    gen = commands.add_parser(
        "generation", help="chapter 8's generator against the machine's ceilings and the seed's loop"
    )
    gen.add_argument("--units", type=positive_int, default=1024, help="LSTM size (default 1024)")
    gen.add_argument("--chars", type=positive_int, default=2000, help="characters per prompt (default 2000)")
    gen.add_argument("--batch", type=positive_int, default=16, help="prompts at once (default 16)")
    gen.add_argument("--rounds", type=positive_int, default=3, help="timing rounds, best kept (default 3)")
    gen.add_argument(
        "--naive-chars", type=positive_int, default=20, help="characters for the seed's loop (default 20)"
    )
    gen.set_defaults(run=generation)
    commands.add_parser(
        "pipeline", help="peak memory of chapter 8's training data against one-hot windows"
    ).set_defaults(run=pipeline)
    commands.add_parser(
        "precision", help="chapter 8's cpu model: float32 against mixed_bfloat16 training steps"
    ).set_defaults(run=precision_speed)
    commands.add_parser(
        "stored-training", help="the stored cpu-profile run's validation loss and time (does not train)"
    ).set_defaults(run=stored_training)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
