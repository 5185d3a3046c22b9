"""Test settings: every notebook and test runs in the `quick` profile, headless."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Set before any kernel starts: nbval's kernels inherit this process' environment.
os.environ.setdefault("RNNBOOK_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture
def shared_data_dir() -> Path:
    """A folder holding the real corpora: $RNNBOOK_DATA_DIR, or ../shared/data beside the repo."""
    candidates = [os.environ.get("RNNBOOK_DATA_DIR"), REPO.parent / "shared" / "data"]
    for folder in filter(None, candidates):
        if (Path(folder) / "tinyshakespeare.txt").is_file():
            return Path(folder)
    pytest.skip("no folder with the corpora (set RNNBOOK_DATA_DIR)")
