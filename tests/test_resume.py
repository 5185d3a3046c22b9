"""A real training process, killed with SIGKILL after its second epoch, resumes at epoch 3."""

import os
import re
import signal
import subprocess
import sys
import time

from rnnbook import checkpoints

EPOCHS = 4
DONE = re.compile(r"^epoch (\d+) done")


def train(run_dir, data_dir, kill_after=None, timeout=300):  # a guard against hangs only
    """Run ``python -m rnnbook.shakespeare``; SIGKILL it once it reports epoch ``kill_after``."""
    env = {**os.environ, "RNNBOOK_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rnnbook.shakespeare",
            "--run-dir",
            str(run_dir),
            "--epochs",
            str(EPOCHS),
            "--text-chars",
            "20000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    finished, lines, deadline = [], [], time.monotonic() + timeout
    for line in process.stdout:
        lines.append(line)
        match = DONE.match(line)
        if match:
            finished.append(int(match[1]))
            if int(match[1]) == kill_after:
                process.send_signal(signal.SIGKILL)
                break
        assert time.monotonic() < deadline, "training took too long:\n" + "".join(lines)
    process.wait(timeout=timeout)
    return process.returncode, finished, lines


def test_killed_run_resumes_after_the_last_finished_epoch(tmp_path, shared_data_dir):
    returncode, first, _ = train(tmp_path, shared_data_dir, kill_after=2)
    assert returncode == -signal.SIGKILL
    assert first == [1, 2]
    assert (tmp_path / "backup").is_dir(), "the kill must leave BackupAndRestore's backup behind"

    returncode, second, lines = train(tmp_path, shared_data_dir)
    assert returncode == 0, "".join(lines)
    assert second == [3, 4], f"the restarted run trained epochs {second}, expected [3, 4]"
    assert "finished: ran epochs [3, 4]" in "".join(lines)
    assert [c.epoch for c in checkpoints.list_checkpoints(tmp_path / "checkpoints")] == [1, 2, 3, 4]
    assert not (tmp_path / "backup").exists(), "a finished run deletes its backup"
