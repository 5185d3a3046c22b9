"""Fixtures shared by the tests (the environment settings are in the root conftest.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import fcntl  # to share one book build between xdist workers
except ImportError:  # Windows: each worker builds its own
    fcntl = None

REPO = Path(__file__).resolve().parents[1]
CORPUS_FILES = ("tinyshakespeare.txt", "alice.txt")


def find_shared_data(environ=os.environ) -> Path:
    """The folder holding the real corpora: $RNNBOOK_DATA_DIR, or ../shared/data beside the repo.

    Without one the tests that need it skip on a contributor's machine, but fail under CI
    (``CI`` set) or when RNNBOOK_DATA_DIR is set and lacks the corpora: there a missing folder
    is a broken set-up, not a reason to test less.
    """
    setting = environ.get("RNNBOOK_DATA_DIR")
    candidates = [Path(setting)] if setting else [REPO.parent / "shared" / "data"]
    for folder in candidates:
        if all((folder / name).is_file() for name in CORPUS_FILES):
            return folder
    where = f"RNNBOOK_DATA_DIR={setting}" if setting else f"{candidates[0]} (RNNBOOK_DATA_DIR is not set)"
    message = f"no folder with the corpora {', '.join(CORPUS_FILES)}: {where}"
    if environ.get("CI") or setting:
        pytest.fail(message + "; see data/README.md", pytrace=False)
    pytest.skip(message + "; set RNNBOOK_DATA_DIR to run these tests")


@pytest.fixture
def shared_data_dir() -> Path:
    """A folder holding the real corpora (see :func:`find_shared_data`)."""
    return find_shared_data()


def _build_book(out: Path) -> subprocess.CompletedProcess:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    return subprocess.run(
        [str(jupyter_book), "build", str(REPO), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built once per test session (``jupyter-book build -W -n --keep-going``).

    Returns the finished process (its return code and log) and the HTML folder. Under
    pytest-xdist the workers share one build: the first that needs it builds it into the run's
    common temporary folder, the others wait for it and read the same result.
    """
    if not (Path(sys.executable).parent / "jupyter-book").exists():
        pytest.skip("jupyter-book is not installed")
    if not os.environ.get("PYTEST_XDIST_WORKER") or fcntl is None:
        out = tmp_path_factory.mktemp("book")
        return _build_book(out), out / "_build" / "html"
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's own
    out, record = shared / "book", shared / "book.json"
    with open(shared / "book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():
            result = _build_book(out)
            fields = {k: getattr(result, k) for k in ("args", "returncode", "stdout", "stderr")}
            record.write_text(json.dumps(fields), encoding="utf-8")
        result = subprocess.CompletedProcess(**json.loads(record.read_text(encoding="utf-8")))
    return result, out / "_build" / "html"
