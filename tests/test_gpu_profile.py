"""The `gpu` profile known to run: every Keras chapter's gpu-size models built and trained briefly.

Each Keras chapter whose `gpu` sizes differ from its `cpu` ones (the `cpu` profile runs whenever the
book's outputs are made, so a `gpu` profile equal to it is proven there) is executed top to bottom
in a fresh kernel under RNNBOOK_PROFILE=gpu, on the CPU, with `rnnbook.smoke.install` in a first
cell: every model, layer and data shape at its `gpu` size, every fit capped at a couple of
batches per epoch and the profile's repetition counts (epochs, seeds, timing rounds) capped
(`rnnbook.smoke.CAPS`). The chapter's code and stored outputs are not touched.

The rule for errors: any exception fails the test (a shape, size or memory mistake, a name a later
cell misses). The chapters' `assert` statements are recorded instead of raised, because a couple
of steps cannot pass a learning-quality check ("beats the baseline"); the test then allows only
the failures listed in QUALITY_CHECKS (each one a check that training has learned something), and
fails on any other failed assert (a shape or bookkeeping check).

Cost (marked `slow`, a registered marker; `-m "not slow"` leaves it out, the default suite runs
it): the whole file took 141 s of CPU time (user + system, kernels included; 212 s before the
amounts of data were capped) and 142 s of wall clock on the project's 2-core machine with a load
average of about 5 from other jobs (`/usr/bin/time -v nice -n 10 .venv/bin/python -m pytest
tests/test_gpu_profile.py -q -s`; 304 s of wall clock at a load of 7). Per chapter (the kernel's
wall clock / CPU): ch07 21 s / 28 s, ch08 31 s / 35 s, ch09 25 s / 30 s, ch10 23 s / 20 s, ch11 10
s / 11 s. What is left is building and tracing each full-size model (chapter 8's LSTM(1024) ones,
and the 2048-unit model it builds to show a load error, chapter 9's rivals and timing models at 512
units) and starting TensorFlow in each kernel, not training: one batch per epoch instead of two
saved under 10 s of the 130.
"""

import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from rnnbook import smoke
from rnnbook.profiles import SIZES

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = REPO / "chapters"
KERAS_CHAPTERS = ("ch05", "ch06", "ch07", "ch08", "ch09", "ch10", "ch11")
NUMPY_CHAPTERS = ("ch01", "ch02", "ch03", "ch04")
# The gpu profile's recurrent and embedding sizes that some trained model must have: proof that the
# smoke run built the full-size models, not capped ones.
FULL_SIZE = {
    "ch05": {"recurrent": ["units"], "embedding": []},
    "ch06": {"recurrent": ["units"], "embedding": []},
    "ch07": {"recurrent": ["units", "demo_units"], "embedding": ["embedding_dim"]},
    "ch08": {
        "recurrent": ["units", "dropout_demo_units", "stateful_units"],
        "embedding": ["embedding_dim", "dropout_demo_embedding_dim", "stateful_embedding_dim"],
    },
    "ch09": {"recurrent": ["lstm_units", "tag_units", "add_units"], "embedding": ["embedding_dim"]},
    "ch10": {
        "recurrent": ["ts_units", "sent_units", "char_units"],
        "embedding": ["sent_embedding", "char_embedding"],
    },
    "ch11": {"recurrent": ["units"], "embedding": ["embedding_dim"]},
}
# The LSTM and GRU layers a chapter builds off cuDNN on purpose: (class, units, blockers).
OFF_CUDNN = {
    "ch09": {
        ("LSTM", 8, ("recurrent_dropout=0.25",)),  # shows the error use_cudnn=True raises
        ("LSTM", SIZES["ch09"]["gpu"]["lstm_units"], ("recurrent_dropout=0.25",)),  # timed
    },
}
# Learning-quality checks a couple of steps cannot pass: (chapter, the assert's condition as
# ast.unparse writes it). Each is a claim about what training achieved, nothing about shapes.
QUALITY_CHECKS = {
    ("ch07", "max(final['onehot'], final['embedding']) < math.log(len(vocab))"),
    ("ch08", "variety[0.2] < variety[1.5]"),
    ("ch09", "position_accuracy['unidirectional'].mean() < ceiling.mean() + 0.05"),
}


def chapter_file(chapter):
    (path,) = CHAPTERS.glob(f"{chapter[2:]}_*.ipynb")
    return path


def differs_from_cpu(chapter):
    return SIZES[chapter]["gpu"] != SIZES[chapter]["cpu"]


SMOKED = [c for c in KERAS_CHAPTERS if differs_from_cpu(c)]


def test_numpy_chapters_and_unsmoked_chapters_run_their_cpu_sizes_on_a_gpu():
    """What the smoke run skips is proven by the cpu run: its gpu sizes are the cpu ones."""
    for chapter in NUMPY_CHAPTERS + tuple(c for c in KERAS_CHAPTERS if c not in SMOKED):
        assert SIZES[chapter]["gpu"] == SIZES[chapter]["cpu"], chapter


def test_caps_change_only_counts_of_repetitions_and_amounts_of_data():
    """The caps lower only counts (epochs, rounds, seeds) and amounts of data read (characters,
    examples, dates): every size of a model, a layer, a batch or a sequence stays at its gpu value."""
    assert not smoke.COUNT_KEYS & smoke.DATA_KEYS
    for chapter, caps in smoke.CAPS.items():
        assert set(caps) <= smoke.COUNT_KEYS | smoke.DATA_KEYS, (chapter, set(caps) - smoke.COUNT_KEYS)
        gpu = SIZES[chapter]["gpu"]
        for key, cap in caps.items():
            whole = gpu[key] is None and key in smoke.DATA_KEYS  # None: the whole text
            assert isinstance(cap, int) and 0 < cap and (whole or cap < gpu[key]), (chapter, key)
        assert {k: v for k, v in smoke.capped_sizes(chapter).items() if k not in caps} == {
            k: v for k, v in gpu.items() if k not in caps
        }


def test_quality_checks_listed_are_in_the_chapters():
    """An allowed failure must name an assert a chapter has (no stale allowances)."""
    import ast

    for chapter, test in QUALITY_CHECKS:
        source = nbformat.read(chapter_file(chapter), as_version=4)
        conditions = set()
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            conditions |= {ast.unparse(n.test) for n in ast.walk(tree) if isinstance(n, ast.Assert)}
        assert test in conditions, (chapter, test)


def run_smoke(chapter, tmp_path, notebook=None):
    """Execute the chapter (or ``notebook``) under the gpu profile with the smoke caps.

    Returns (events of the record, seconds)."""
    from nbclient import NotebookClient

    notebook = notebook or nbformat.read(chapter_file(chapter), as_version=4)
    setup = nbformat.v4.new_code_cell(f"import rnnbook.smoke\nrnnbook.smoke.install({chapter!r})")
    notebook.cells.insert(0, setup)
    notebook.cells.append(nbformat.v4.new_code_cell("rnnbook.smoke.finish()"))
    record = tmp_path / "record.jsonl"
    env = dict(os.environ)
    env.update(
        RNNBOOK_PROFILE="gpu",
        RNNBOOK_RUN_DIR=str(tmp_path / "runs"),
        MPLBACKEND="Agg",
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",  # the CPU, also on a machine with a GPU
        **{smoke.RECORD_ENV: str(record)},
    )
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(CHAPTERS)}},
    )
    start = time.perf_counter()
    try:
        client.execute(env=env)
    finally:
        print(f"{chapter}: slowest cells (s): {slowest_cells(notebook)}")
    return smoke.read_record(record), time.perf_counter() - start


def slowest_cells(notebook, n=5):
    """[(cell index in the chapter, seconds)] of the n slowest cells nbclient timed."""
    from datetime import datetime

    timed = []
    for index, cell in enumerate(notebook.cells[1:]):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            begin, end = (
                datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                for k in ("iopub.execute_input", "shell.execute_reply")
            )
            timed.append((index, round((end - begin).total_seconds(), 1)))
    return sorted(timed, key=lambda t: -t[1])[:n]


def test_the_harness_records_failed_asserts_and_stops_at_any_other_error(tmp_path):
    """A failed assert is recorded and the run goes on; an exception stops it; fit is capped."""
    from nbclient.exceptions import CellExecutionError

    cells = [
        "from rnnbook import profiles\ncfg = profiles.sizes('ch11')",
        "assert cfg.units == 128 and cfg.epochs == 1, 'full size, capped epochs'",
        "assert cfg.units < 0, 'a quality check'\nreached = True",
        "import keras, numpy as np\n"
        "layers = [keras.Input((3, 2)), keras.layers.LSTM(cfg.units), keras.layers.Dense(1)]\n"
        "model = keras.Sequential(layers)\n"
        "model.compile('sgd', 'mse')\n"
        "history = model.fit(np.zeros((640, 3, 2)), np.zeros(640), batch_size=8, epochs=3, verbose=0)",
        "assert reached and len(history.history['loss']) == 3",
        "raise ValueError('a shape mistake')",
        "never = True",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    with pytest.raises(CellExecutionError, match="a shape mistake"):
        run_smoke("ch11", tmp_path, notebook)
    events = smoke.read_record(tmp_path / "record.jsonl")
    assert [e["test"] for e in events if e["event"] == "assert"] == ["cfg.units < 0"]
    (fit,) = [e for e in events if e["event"] == "fit"]
    assert fit["steps_per_epoch"] == smoke.MAX_STEPS and fit["recurrent"][0]["units"] == 128
    assert not [e for e in events if e["event"] == "finished"]  # the last cell never ran


@pytest.mark.slow  # minutes: see the module docstring
@pytest.mark.parametrize("chapter", SMOKED)
def test_gpu_profile_builds_and_trains_at_full_size(chapter, tmp_path):
    events, seconds = run_smoke(chapter, tmp_path)
    (finished,) = [e for e in events if e["event"] == "finished"]
    print(f"{chapter}: smoke run {seconds:.1f} s; kernel after setup: {finished}")
    fits = [e for e in events if e["event"] == "fit"]
    assert fits, "no model was trained"
    assert all(f["steps_per_epoch"] <= smoke.MAX_STEPS for f in fits)

    # cuDNN: every LSTM and GRU the chapter built takes the fast kernel on a GPU, except where
    # the chapter leaves it on purpose (chapter 9's recurrent dropout, which it says so)
    built = [e for e in events if e["event"] == "recurrent_build" and e["class"] in ("LSTM", "GRU")]
    off_cudnn = {
        (e["class"], e["units"], tuple(smoke.cudnn_blockers(e))) for e in built if smoke.cudnn_blockers(e)
    }
    assert off_cudnn == OFF_CUDNN.get(chapter, set()), off_cudnn

    # the chapter read the gpu sizes, capped only where CAPS says
    read = [e["sizes"] for e in events if e["event"] == "sizes" and e["chapter"] == chapter]
    assert read and all(r == json.loads(json.dumps(smoke.capped_sizes(chapter))) for r in read)

    # full size: each gpu recurrent width and embedding width was trained
    gpu = SIZES[chapter]["gpu"]
    trained_units = {layer["units"] for f in fits for layer in f["recurrent"]}
    trained_embeddings = {width for f in fits for width in f["embeddings"]}
    for key in FULL_SIZE[chapter]["recurrent"]:
        assert gpu[key] in trained_units, (key, gpu[key], sorted(trained_units))
    for key in FULL_SIZE[chapter]["embedding"]:
        assert gpu[key] in trained_embeddings, (key, gpu[key], sorted(trained_embeddings))

    # asserts: only the listed learning-quality checks may fail
    failed = [e["test"] for e in events if e["event"] == "assert"]
    print(f"{chapter}: quality checks failed after {smoke.MAX_STEPS} steps: {failed}")
    unexpected = [t for t in failed if (chapter, t) not in QUALITY_CHECKS]
    assert not unexpected, f"asserts other than learning-quality checks failed: {unexpected}"
