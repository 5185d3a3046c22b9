"""Settings for every test, notebooks included: the `quick` profile, headless plotting, quiet TensorFlow.

At the repository root so that `pytest chapters/NN_name.ipynb` alone also runs in `quick`
(nbval's kernels inherit this process' environment when they start).

The whole suite (`.venv/bin/python -m pytest`, no paths given) runs on every CPU core, one
pytest-xdist worker per core, when pytest-xdist is installed (requirements.txt pins it): most of
its time is single-threaded (notebook kernels, TensorFlow imports, the book build, waits on
subprocesses), so two cores do it in little more than half the time. A notebook's cells stay
together on one worker, in order, with one kernel (``--dist loadscope``: a notebook is one
scope), and the longest parts are handed out first (:data:`LONGEST_FIRST`). A run given paths
(`pytest tests/test_x.py`, `pytest chapters/`) stays in one process, as does any run given
``-n`` itself (``-n 0`` to turn the workers off).
"""

import os

import pytest

os.environ.setdefault("RNNBOOK_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# A relative RNNBOOK_DATA_DIR means "relative to where I typed it": resolve it here, in the first
# process that reads it, because notebook kernels start in chapters/ (see rnnbook.data).
if os.environ.get("RNNBOOK_DATA_DIR"):
    os.environ["RNNBOOK_DATA_DIR"] = os.path.abspath(os.path.expanduser(os.environ["RNNBOOK_DATA_DIR"]))

# The parts of the suite that take longest (each one worker's scope: a file or a notebook),
# longest first, measured on a 2-core machine; they start first, so that the many short test
# files fill in at the end and both workers finish together. Anything not listed follows in
# the usual order.
LONGEST_FIRST = (
    "tests/test_gpu_profile.py",
    "chapters/07_character_models.ipynb",
    "tests/test_resume.py",
    "tests/test_nbgrader.py",
    "chapters/08_shakespeare_generation.ipynb",
    "tests/test_book.py",  # builds the book that tests/test_browser.py reads
    "chapters/10_forecasting_classification_transfer.ipynb",
    "chapters/09_deeper_bidirectional_attention.ipynb",
    "chapters/05_keras_recurrent_layers.ipynb",
    "chapters/11_sequence_to_sequence.ipynb",
    "tests/test_browser.py",
    "tests/test_student.py",
    "chapters/06_inside_lstm_gru.ipynb",
    "tests/test_execute.py",
    "tests/test_data.py",
    "chapters/03_vanishing_exploding_gradients.ipynb",
)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The whole suite on one xdist worker per core (see the module's docstring)."""
    if not config.pluginmanager.hasplugin("xdist") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    whole_suite = config.args_source is pytest.Config.ArgsSource.TESTPATHS
    if config.option.numprocesses is not None or not whole_suite or _cores() < 2:
        return
    if config.option.collectonly or config.option.usepdb:
        return
    workers = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")  # xdist's own setting for -n auto
    config.option.numprocesses = int(workers) if workers.isdigit() else _cores()
    config.option.dist = "loadscope"  # a notebook's cells on one worker, in order
    config.option.loadscopereorder = False  # keep the order below (xdist would sort by test count)


def pytest_collection_modifyitems(config, items):
    """Under xdist, the longest parts first (a stable sort: each file keeps its own order)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    root = config.rootpath

    def key(item):
        try:
            name = item.path.relative_to(root).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(name, len(rank))

    items.sort(key=key)
