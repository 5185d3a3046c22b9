"""A real training process, killed with SIGKILL at many instants, resumes exactly.

Each kill is deterministic: ``RNNBOOK_KILL_AT=<point>:<epoch>`` makes the process kill
itself at a named point inside a checkpoint or backup write (see
``rnnbook.checkpoints.KILL_POINTS``); one more kill comes from outside, between epochs.
After every kill the same command is run again, as a person would. Each chain of runs
must end with every epoch's checkpoint, the full history, no backup left behind, and the
same weights, bit for bit, as the run that was never killed.
"""

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from rnnbook import checkpoints

EPOCHS = 3
DONE = re.compile(r"^epoch (\d+) done")


def train(run_dir, data_dir, kill_at=None, kill_after_epoch=None, timeout=300):  # guards hangs only
    """Run ``python -m rnnbook.shakespeare``; returns (returncode, output lines)."""
    env = {**os.environ, "RNNBOOK_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("RNNBOOK_KILL_AT", None)
    if kill_at:
        env["RNNBOOK_KILL_AT"] = kill_at
    command = [sys.executable, "-m", "rnnbook.shakespeare", "--run-dir", str(run_dir)]
    command += ["--epochs", str(EPOCHS), "--text-chars", "20000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    lines = []
    for line in process.stdout:
        lines.append(line)
        match = DONE.match(line)
        if match and int(match[1]) == kill_after_epoch:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=timeout)
    return process.returncode, lines


def result(lines):
    """The history and the weights' checksum that a finished run prints last."""
    text = "".join(lines)
    history = json.loads(re.search(r"^history: (.*)$", text, re.M)[1])
    return history, re.search(r"^weights sha256: (\w+)$", text, re.M)[1]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The run that is never killed: its history, weights checksum and checkpoint names."""
    from tests import conftest

    run_dir = tmp_path_factory.mktemp("uninterrupted")
    returncode, lines = train(run_dir, conftest.find_shared_data())
    assert returncode == 0, "".join(lines)
    return result(lines), sorted(p.name for p in (run_dir / "checkpoints").iterdir())


# The kills of successive runs of one chain; a run is killed where RNNBOOK_KILL_AT says, or
# from outside once it reports epoch N. Every point of rnnbook.checkpoints.KILL_POINTS.
KILLS = [
    ("checkpoint-written:1", None),  # inside ModelCheckpoint's write
    ("backup-weights-partial:1", None),  # a half-written backup weights file
    ("backup-weights-renamed:2", None),  # new weights in place, state.json still old
    ("backup-state-written:2", None),  # state.json's temporary file written, not renamed
    (None, 2),  # from outside, once epoch 2 is reported
    ("backup-state-renamed:3", None),  # the last state written, the run not yet ended
]


def test_killed_runs_resume_exactly(tmp_path, shared_data_dir, uninterrupted):
    (history, sha), names = uninterrupted
    for kill_at, kill_after_epoch in KILLS:
        returncode, lines = train(tmp_path, shared_data_dir, kill_at, kill_after_epoch)
        assert returncode == -signal.SIGKILL, f"{kill_at} did not kill:\n" + "".join(lines)
        assert not any("Traceback" in line for line in lines), "".join(lines)
    returncode, lines = train(tmp_path, shared_data_dir)
    assert returncode == 0, "".join(lines)
    assert "resumed from" in "".join(lines)
    assert result(lines) == (history, sha), "the resumed run's weights differ from the uninterrupted run"
    assert len(history["loss"]) == EPOCHS
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == names
    assert [c.epoch for c in checkpoints.list_checkpoints(tmp_path / "checkpoints")] == [1, 2, 3]
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == ["history.json"]
    assert json.loads((tmp_path / "backup" / "history.json").read_text()) == history
