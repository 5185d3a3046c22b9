"""Chapter 8: its checkers, its committed pretrained weights, its benchmarks."""

import hashlib
import json
import math
import re

import nbformat
import numpy as np
import pytest

from rnnbook import bench, profiles
from rnnbook.checks import CheckFailed, ch08

from .test_book import REPO

CHAPTER = REPO / "chapters" / "08_shakespeare_generation.ipynb"
PRETRAINED = REPO / "chapters" / "pretrained" / "ch08_cpu.weights.h5"
INFO = PRETRAINED.with_name("ch08_cpu.json")


def right_temperature_probs(logits, temperature):
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_temperature_checker_accepts_a_right_answer(capsys):
    ch08.check_temperature_probs(right_temperature_probs)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda z, t: None, "returned None"),
        (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(axis=-1, keepdims=True), "NaN or infinity"),
        (lambda z, t: right_temperature_probs(z, 1 / t), "is wrong at index"),
        (lambda z, t: right_temperature_probs(z, t) * 2, "must sum to 1"),
        (lambda z, t: right_temperature_probs(z.ravel(), t), "has shape"),
        (lambda z, t: np.exp(z / t) / np.exp(z / t).sum(), None),  # sums over all axes: wrong for batches
    ],
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflowing answer overflows
def test_temperature_checker_says_what_is_wrong(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        ch08.check_temperature_probs(wrong)


def test_units_checker(capsys):
    ch08.check_loss_units(lambda loss: (loss / math.log(2), math.exp(loss)))
    assert "Correct!" in capsys.readouterr().out
    for wrong, message in [
        (lambda loss: loss / math.log(2), "expected a pair"),
        (lambda loss: (loss * math.log(2), math.exp(loss)), "divide by ln 2"),
        (lambda loss: (loss / math.log(10), math.exp(loss)), "expected 6.02"),
        (lambda loss: (loss / math.log(2), 2**loss), "perplexity"),
    ]:
        with pytest.raises(CheckFailed, match=message):
            ch08.check_loss_units(wrong)


def stored_stdout() -> str:
    nb = nbformat.read(CHAPTER, as_version=4)
    return "".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "stream"
    )


def test_pretrained_weights_are_those_the_stored_cpu_run_published():
    info = json.loads(INFO.read_text())
    assert hashlib.sha256(PRETRAINED.read_bytes()).hexdigest() == info["sha256"]
    assert 1e6 < PRETRAINED.stat().st_size < 20e6
    published = re.search(r"published \S+ \([\d.]+ MB, sha256 ([0-9a-f]{64})\) from (\S+)", stored_stdout())
    assert published, "the stored chapter run did not publish the pretrained weights"
    assert published[1] == info["sha256"] and published[2] == info["checkpoint"]
    assert info["sizes"] == {"profile": "cpu", **profiles.SIZES["ch08"]["cpu"]}
    assert (
        info["val_loss"] == min(info["history"]["val_loss"])
        or abs(info["val_loss"] - min(info["history"]["val_loss"])) < 1e-4
    )


def test_pretrained_weights_load_into_the_cpu_profile_model():
    from rnnbook import checkpoints, shakespeare

    cfg = profiles.sizes("ch08", "cpu")
    model = shakespeare.build_model(65, cfg.embedding_dim, cfg.units)
    checkpoints.load_weights(model, PRETRAINED)
    quick = profiles.sizes("ch08", "quick")
    with pytest.raises(ValueError, match="another size"):
        checkpoints.load_weights(shakespeare.build_model(65, quick.embedding_dim, quick.units), PRETRAINED)


def test_benchmarks_run_and_print_figures(capsys):
    result = bench.bench_generation(units=16, chars=20, naive_chars=2, batch=16, rounds=1)
    assert result["ours_batch1"] > 0 and result["naive_batch1"] > 0 and result["ours_batch16"] > 0
    assert bench.main(["stored-training"]) == 0
    assert "best validation loss" in capsys.readouterr().out
