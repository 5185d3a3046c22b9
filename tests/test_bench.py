"""The benchmark command `python -m rnnbook.bench charrnn`, at tiny sizes (no speed assertions)."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from rnnbook import bench
from rnnbook import numpy_rnn as rnn

TINY = ["charrnn", "--hidden", "8", "--batch", "4", "--seq-len", "5", "--chunks", "2"]


def test_command_prints_speeds_ratio_and_gradient_agreement():
    env = {k: v for k, v in os.environ.items() if k not in bench.BLAS_THREAD_VARIABLES}
    env["OPENBLAS_NUM_THREADS"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "rnnbook.bench", *TINY], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 chunks of 4 streams x 5 steps = 40 characters per trainer" in out
    assert "BLAS thread settings: {'OPENBLAS_NUM_THREADS': '1'}" in out
    assert re.search(r"batched \(4 streams at once\): +[\d,]+ chars/s", out)
    assert re.search(r"one sequence at a time: +[\d,]+ chars/s", out)
    assert re.search(r"speed-up: [\d.]+x", out)
    difference = re.search(r"max relative difference (\S+) \(in (\w+)\)", out)
    assert difference, out
    assert float(difference.group(1)) < 1e-12
    assert difference.group(2) in rnn.PARAM_NAMES


def test_main_returns_the_figures(capsys):
    figures = bench.charrnn(bench.build_parser().parse_args([*TINY, "--dtype", "float64"]))
    assert set(figures) == {
        "batched_chars_per_s",
        "sequential_chars_per_s",
        "speedup",
        "max_relative_difference",
    }
    assert figures["batched_chars_per_s"] > 0 and figures["sequential_chars_per_s"] > 0
    assert figures["speedup"] == pytest.approx(
        figures["batched_chars_per_s"] / figures["sequential_chars_per_s"]
    )
    assert figures["max_relative_difference"] < 1e-12
    assert "float64" in capsys.readouterr().out


@pytest.mark.parametrize(
    "option,value", [("--hidden", "0"), ("--batch", "-2"), ("--seq-len", "x"), ("--chunks", "1.5")]
)
def test_sizes_must_be_positive_integers(option, value, capsys):
    args = list(TINY)
    args[args.index(option) + 1] = value
    with pytest.raises(SystemExit):
        bench.main(args)
    assert f"expected a positive integer, got {value}" in capsys.readouterr().err.replace("'", "")


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit):
        bench.main([])
    assert "charrnn" in capsys.readouterr().err


def test_batch_gradient_is_the_mean_of_the_per_sequence_gradients():
    rng = np.random.default_rng(1)
    params = rnn.init_params(7, 5, 7, rng)
    inputs, targets = rng.integers(0, 7, (3, 4)), rng.integers(0, 7, (3, 4))
    h0 = np.tanh(rng.standard_normal((3, 5)))
    differences = bench.gradient_agreement(params, inputs, targets, h0)
    assert set(differences) == set(rnn.PARAM_NAMES)
    assert max(differences.values()) < 1e-12
    # The agreement is not vacuous: starting a sequence from another state changes its gradient.
    other = bench.gradients(params, inputs[:1], targets[:1], np.zeros((1, 5)))
    own = bench.gradients(params, inputs[:1], targets[:1], h0[:1])
    assert not np.allclose(other["Whh"], own["Whh"])


def test_both_trainers_see_the_same_characters_and_update_the_weights():
    ids = bench.synthetic_ids(3 * 2 * 4 + 1, 9, np.random.default_rng(0))
    batches = bench.chunks(ids, 2, 4)
    assert len(batches) == 3 and batches[0][0].shape == (2, 4)
    for timer in (bench.time_batched, bench.time_per_sequence):
        params = rnn.init_params(9, 6, 9, np.random.default_rng(0), dtype=np.float32)
        before = {name: value.copy() for name, value in params.items()}
        assert timer(params, batches) > 0
        assert all(not np.array_equal(before[name], params[name]) for name in params)


def test_train_step_carries_the_state():
    params = rnn.init_params(5, 4, 5, np.random.default_rng(0))
    inputs = np.array([[1, 2, 3]])
    _, hs = rnn.forward(params, np.eye(5)[inputs])  # before the update
    before = params["Whh"].copy()
    _, h = bench.train_step(params, rnn.SGD(0.5), inputs, np.array([[2, 3, 4]]), np.zeros((1, 4)))
    assert not np.array_equal(before, params["Whh"])
    np.testing.assert_array_equal(h, hs[:, -1])  # the state of the chunk just trained on


@pytest.mark.parametrize("batched_s,sequential_s,hint", [(10.0, 1.0, True), (1.0, 10.0, False)])
def test_a_hint_when_the_batched_trainer_loses(monkeypatch, capsys, batched_s, sequential_s, hint):
    monkeypatch.setattr(bench, "time_batched", lambda params, batches: batched_s)
    monkeypatch.setattr(bench, "time_per_sequence", lambda params, batches: sequential_s)
    figures = bench.charrnn(bench.build_parser().parse_args(TINY))
    assert figures["speedup"] == pytest.approx(sequential_s / batched_s)
    out = capsys.readouterr().out
    assert f"speed-up: {sequential_s / batched_s:.1f}x" in out
    assert ("OPENBLAS_NUM_THREADS=1" in out) == hint


def test_charrnn_prints_each_ratio_with_its_goal_and_verdict(capsys):
    figures = bench.charrnn(bench.build_parser().parse_args(TINY))
    out = capsys.readouterr().out
    met = figures["speedup"] >= bench.GOAL_CHARRNN_SPEEDUP
    assert f"(goal >= 10x: {'met' if met else 'NOT met'})" in out
    assert "(goal < 1e-12: met)" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_verdict():
    assert bench.verdict(True) == "met" and bench.verdict(False) == "NOT met"


GENERATION = ["generation", "--units", "8", "--chars", "20", "--batch", "3", "--rounds", "1"]


def test_generation_measures_the_ceilings_and_the_fractions(capsys):
    r = bench.main([*GENERATION, "--naive-chars", "2"])
    assert r == 0
    out = capsys.readouterr().out
    assert "one float32 product with the LSTM's 264 x 32 weights" in out  # 256 + 8 rows, 4 x 8
    assert re.search(r"batch  1: +[\d,]+ chars/s \(NumPy [\d,]+, TensorFlow [\d,]+\)", out)
    assert re.search(r"batch  3: +[\d,]+ chars/s", out)
    for size in (1, 3):
        line = re.search(rf"CharGenerator batch +{size}: .*", out).group(0)
        assert re.search(r"= \d+% of ceiling \(goal >= 50%: (met|NOT met)\)$", line), line
    assert re.search(r"speed-up over the seed's loop, batch 1: [\d,]+x \(goal >= 100x: (met|NOT met)\)", out)
    assert all(len(line) <= 80 for line in out.splitlines())


def test_generation_fractions_are_the_generator_over_the_best_ceiling(monkeypatch):
    seconds = {1: {"numpy": 0.004, "tensorflow": 0.002}, 3: {"numpy": 0.01, "tensorflow": 0.02}}
    monkeypatch.setattr(bench, "product_seconds", lambda size, rows, cols: seconds[size])
    monkeypatch.setattr(bench, "chars_per_second", lambda fn, n: 100.0 * n)
    r = bench.bench_generation(units=8, chars=2, naive_chars=1, batch=3, rounds=1)
    assert r["ceiling_batch1"] == pytest.approx(500.0)  # 1 / 0.002 s, TensorFlow the faster
    assert r["ceiling_batch3"] == pytest.approx(300.0)  # 3 / 0.01 s, NumPy the faster
    assert r["fraction_batch1"] == pytest.approx(200.0 / 500.0)  # 2 chars in 1/100 s
    assert r["fraction_batch3"] == pytest.approx(600.0 / 300.0)


def test_product_seconds_times_both_libraries():
    seconds = bench.product_seconds(2, 16, 32, repeats=3)
    assert set(seconds) == {"numpy", "tensorflow"} and min(seconds.values()) > 0


def test_pipeline_prints_its_goal_and_verdict(monkeypatch, capsys):
    figures = {
        "batches": 155,
        "tracemalloc_peak_bytes": 14e6,
        "maxrss_growth_bytes": 2e9,
        "maxrss_bytes": 3e9,
        "one_hot_windows_bytes": 29e9,
    }
    monkeypatch.setattr(bench, "bench_pipeline", lambda: figures)
    bench.main(["pipeline"])
    assert "larger of the first two: 2.000 GB (goal <= 1.000 GB: NOT met)" in capsys.readouterr().out


def test_stored_training_reads_the_record_and_says_it_does_not_train(tmp_path, monkeypatch, capsys):
    record = {"val_loss": 1.46, "epoch": 8, "train_seconds": 960, "epochs": 8, "device": "CPU"}
    (tmp_path / "ch08_cpu.json").write_text(json.dumps(record))
    monkeypatch.setattr(bench, "PRETRAINED_INFO", tmp_path / "ch08_cpu.json")
    monkeypatch.setattr(bench, "REPO", tmp_path)
    assert bench.main(["stored-training"]) == 0
    out = capsys.readouterr().out
    assert "this command does no training" in out
    assert "1.4600 nats/char, epoch 8 (goal <= 1.47: met)" in out
    assert "16.0 min for 8 epochs (goal <= 15 min: NOT met)" in out
    with pytest.raises(SystemExit):  # the old name would suggest that it trains
        bench.main(["training"])


def test_stored_mixed_precision_run_meets_the_goal_only_if_float32_does_too(tmp_path, monkeypatch, capsys):
    record = {"val_loss": 1.465, "val_loss_float32": 1.4712, "dtype_policy": "mixed_bfloat16"}
    record |= {"epoch": 20, "train_seconds": 780, "epochs": 20, "device": "CPU"}
    (tmp_path / "ch08_cpu.json").write_text(json.dumps(record))
    monkeypatch.setattr(bench, "PRETRAINED_INFO", tmp_path / "ch08_cpu.json")
    monkeypatch.setattr(bench, "REPO", tmp_path)
    bench.main(["stored-training"])
    out = capsys.readouterr().out
    assert "best validation loss in training (mixed_bfloat16): 1.4650 nats/char, epoch 20" in out
    assert "the same weights in float32: 1.4712 nats/char" in out
    assert "larger of the two: 1.4712 (goal <= 1.47: NOT met)" in out
    assert "13.0 min for 20 epochs (goal <= 15 min: met)" in out


@pytest.mark.parametrize(
    "native, speedup, line",
    [
        (True, 1.6, "float32 / mixed_bfloat16: 1.60x (goal >= 1.3: met)"),
        (True, 1.1, "float32 / mixed_bfloat16: 1.10x (goal >= 1.3: NOT met)"),
        (False, 0.2, "this CPU has no native bfloat16: chapter 8 trains in float32 here (no goal)"),
    ],
)
def test_precision_prints_both_policies_and_the_ratio(monkeypatch, capsys, native, speedup, line):
    figures = {"units": 512, "batch": 64, "seq_length": 100, "native_bfloat16": native}
    figures |= {"seconds": {"float32": 0.36 * speedup, "mixed_bfloat16": 0.36}, "speedup": speedup}
    monkeypatch.setattr(bench, "bench_precision", lambda: figures)
    bench.main(["precision"])
    out = capsys.readouterr().out
    assert "mixed_bfloat16    0.360 s/step" in out and line in out


def test_bench_precision_times_the_cpu_models_steps(monkeypatch):
    from rnnbook import profiles

    small = {
        **profiles.SIZES["ch08"]["cpu"],
        "units": 8,
        "embedding_dim": 4,
        "batch_size": 2,
        "seq_length": 5,
    }
    monkeypatch.setitem(profiles.SIZES["ch08"], "cpu", small)
    r = bench.bench_precision(rounds=1, steps=1)
    assert (r["units"], r["batch"], r["seq_length"]) == (8, 2, 5)
    assert set(r["seconds"]) == {"float32", "mixed_bfloat16"} and min(r["seconds"].values()) > 0
    assert r["speedup"] == pytest.approx(r["seconds"]["float32"] / r["seconds"]["mixed_bfloat16"])


def test_readme_performance_page_and_docstring_list_every_command():
    commands = bench.build_parser()._subparsers._group_actions[0].choices
    listed = "|".join(commands)
    assert listed == "charrnn|generation|pipeline|precision|stored-training"
    for path in (bench.REPO / "README.md", bench.REPO / "performance.md"):
        assert f"rnnbook.bench {listed}" in path.read_text(encoding="utf-8"), path.name
    assert f"rnnbook.bench {listed}``" in bench.__doc__
