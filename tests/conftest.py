"""Fixtures shared by the tests (the environment settings are in the root conftest.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def shared_data_dir() -> Path:
    """A folder holding the real corpora: $RNNBOOK_DATA_DIR, or ../shared/data beside the repo."""
    candidates = [os.environ.get("RNNBOOK_DATA_DIR"), REPO.parent / "shared" / "data"]
    for folder in filter(None, candidates):
        if (Path(folder) / "tinyshakespeare.txt").is_file():
            return Path(folder)
    pytest.skip("no folder with the corpora (set RNNBOOK_DATA_DIR)")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built once per test session (``jupyter-book build -W -n --keep-going``).

    Returns the finished process (its return code and log) and the HTML folder.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        pytest.skip("jupyter-book is not installed")
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(REPO), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return result, out / "_build" / "html"
