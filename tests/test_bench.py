"""The benchmark command `python -m rnnbook.bench charrnn`, at tiny sizes (no speed assertions)."""

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
