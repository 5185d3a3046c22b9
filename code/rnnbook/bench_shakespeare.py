"""Chapter 8's benchmarks: ``python -m rnnbook.bench_shakespeare generation|pipeline|training``.

* ``generation``: characters per second of :class:`rnnbook.generate.CharGenerator` at
  batch 1 and batch 16 against the seed's loop (``model.predict`` on the last 100
  characters for every new one), same LSTM(1024) model with random weights, same machine.
* ``pipeline``: peak memory of building the Shakespeare training pipeline our way
  (ids + ``tf.data``, one full pass), against the 29 GB that one-hot stride-1 windows need.
* ``training``: the validation loss the ``cpu`` profile reached and its training time,
  read from ``chapters/pretrained/ch08_cpu.json``, which the stored chapter run wrote
  (it does not train again).

They print figures and assert nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRETRAINED_INFO = REPO / "chapters" / "pretrained" / "ch08_cpu.json"


def _model_and_vocab(units: int = 1024, embedding_dim: int = 256, seed: int = 0):
    from rnnbook import data, shakespeare
    from rnnbook.vocab import CharVocab

    shakespeare.keras.utils.set_random_seed(seed)
    vocab = CharVocab.from_text(data.load_text("shakespeare"))
    model = shakespeare.build_model(len(vocab), embedding_dim, units)
    return model, vocab


def chars_per_second(generate_fn, n_chars: int) -> float:
    start = time.perf_counter()
    generate_fn()
    return n_chars / (time.perf_counter() - start)


def bench_generation(units: int = 1024, chars: int = 300, naive_chars: int = 20, batch: int = 16) -> dict:
    """chars/s of the one-step generator (batch 1 and ``batch``) and of the seed's loop."""
    from rnnbook.generate import CharGenerator, naive_generate

    model, vocab = _model_and_vocab(units)
    prompt = "ROMEO:\n"
    generator = CharGenerator(model, vocab, seed=0)
    generator.generate(prompt, 5)  # compile (traces) before timing
    generator.generate([prompt] * batch, 5)
    naive_generate(model, vocab, prompt * 15, 2)
    ours_1 = chars_per_second(lambda: generator.generate(prompt, chars), chars)
    ours_b = chars_per_second(lambda: generator.generate([prompt] * batch, chars), chars * batch)
    naive = chars_per_second(lambda: naive_generate(model, vocab, prompt * 15, naive_chars), naive_chars)
    return {
        "units": units,
        "ours_batch1": ours_1,
        f"ours_batch{batch}": ours_b,
        "naive_batch1": naive,
        "speedup_batch1": ours_1 / naive,
        f"batch{batch}_over_batch1": ours_b / ours_1,
    }


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
    one_hot = n_windows * seq_length * vocab_size * 4
    return {
        "batches": batches,
        "tracemalloc_peak_bytes": traced_peak,
        "maxrss_growth_bytes": rss_after - rss_before,
        "maxrss_bytes": rss_after,
        "one_hot_windows_bytes": one_hot,
    }


def bench_training() -> dict:
    """The cpu profile's result, as the stored chapter run recorded it."""
    if not PRETRAINED_INFO.is_file():
        raise FileNotFoundError(
            f"{PRETRAINED_INFO} is missing: run chapter 8 in the cpu profile with "
            f"RNNBOOK_PUBLISH_PRETRAINED=1 (see the chapter)"
        )
    return json.loads(PRETRAINED_INFO.read_text())


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:.3f} GB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("generation", "pipeline", "training"))
    parser.add_argument("--units", type=int, default=1024, help="LSTM size for `generation`")
    parser.add_argument("--chars", type=int, default=300, help="characters per prompt for our generator")
    parser.add_argument("--naive-chars", type=int, default=20, help="characters for the seed's loop")
    args = parser.parse_args(argv)
    if args.which == "generation":
        r = bench_generation(args.units, args.chars, args.naive_chars)
        print(f"generation, Embedding(65, 256) -> LSTM({r['units']}) -> Dense(65), random weights")
        print(f"  seed's loop (predict on last 100 chars), batch 1: {r['naive_batch1']:9.1f} chars/s")
        print(f"  one-step tf.function generator, batch 1:          {r['ours_batch1']:9.1f} chars/s")
        print(f"  one-step tf.function generator, batch 16:         {r['ours_batch16']:9.1f} chars/s")
        print(f"  speed-up at batch 1: {r['speedup_batch1']:.0f}x (goal >= 100x)")
        print(f"  batch 16 / batch 1:  {r['batch16_over_batch1']:.1f}x (goal >= 10x)")
    elif args.which == "pipeline":
        r = bench_pipeline()
        print(f"pipeline: ids + tf.data, one full pass over {r['batches']} training batches of 64 x 100")
        print(f"  tracemalloc peak (Python and NumPy): {_gb(r['tracemalloc_peak_bytes'])}")
        print(
            f"  ru_maxrss growth while building it:  {_gb(r['maxrss_growth_bytes'])}"
            f"  (process total {_gb(r['maxrss_bytes'])}, TensorFlow included)"
        )
        print(f"  one-hot float32 stride-1 windows:    {_gb(r['one_hot_windows_bytes'])}")
        print("  goal: <= 1 GB")
    else:
        r = bench_training()
        source = PRETRAINED_INFO.relative_to(REPO)
        print(f"training (cpu profile, from {source}, recorded by the stored run):")
        print(
            f"  best validation loss: {r['val_loss']:.4f} nats/char "
            f"({r['val_loss'] / 0.6931471805599453:.3f} bits/char) at epoch {r['epoch']}"
        )
        print(f"  training time: {r['train_seconds'] / 60:.1f} min for {r['epochs']} epochs on {r['device']}")
        print("  goal: <= 1.60 nats/char within 15 minutes on two cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
