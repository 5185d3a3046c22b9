"""Execute chapters in place and stamp them: ``python -m rnnbook.execute [--profile cpu] [NB ...]``.

Each notebook runs top to bottom in a fresh kernel (nbclient), in its own folder,
with ``RNNBOOK_PROFILE`` set; its outputs are saved and its metadata stamped with
the profile, a hash of its code cells and the run time. The tests compare the stamp
with the code, so outputs can never silently come from older code.
``--check`` only verifies the stamps.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat

from rnnbook.profiles import PROFILE_ENV, PROFILES

STAMP_KEY = "rnnbook"
STORED_PROFILE = "cpu"  # the profile whose outputs are committed


def code_hash(nb: nbformat.NotebookNode) -> str:
    """sha256 of the notebook's code cells' sources, in order."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode("utf-8") + b"\n\x00\n")
    return digest.hexdigest()


def stamp_problems(path: Path, profile: str = STORED_PROFILE) -> list[str]:
    """What is wrong with a notebook's stamp (empty list when it is current)."""
    nb = nbformat.read(path, as_version=4)
    stamp = nb.metadata.get(STAMP_KEY)
    if not stamp:
        return [f"{path.name}: never executed by `python -m rnnbook.execute`"]
    problems = []
    if stamp.get("profile") != profile:
        problems.append(
            f"{path.name}: outputs are from profile {stamp.get('profile')!r}, expected {profile!r}"
        )
    if stamp.get("code_sha256") != code_hash(nb):
        problems.append(f"{path.name}: code cells changed after the outputs were made; re-execute it")
    return problems


def run_notebook(nb: nbformat.NotebookNode, folder: Path, profile: str, timeout: int) -> float:
    """Execute ``nb`` in place in a fresh kernel; returns the seconds it took."""
    from nbclient import NotebookClient  # imported here so --check needs only nbformat

    os.environ[PROFILE_ENV] = profile  # the kernel inherits this process' environment
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def execute(path: Path, profile: str, timeout: int, time_quick: bool = True) -> float:
    """Run one notebook in place in ``profile`` and stamp it; returns the seconds it took.

    With ``time_quick``, a throw-away run in the ``quick`` profile comes first, so the
    stamp also records how long the tests' run takes (the instructors' page shows both).
    """
    nb = nbformat.read(path, as_version=4)
    stamp = {"profile": profile, "code_sha256": code_hash(nb)}
    if time_quick and profile != "quick":
        stamp["quick_seconds"] = round(run_notebook(nbformat.from_dict(nb), path.parent, "quick", timeout), 1)
    seconds = run_notebook(nb, path.parent, profile, timeout)
    stamp["seconds"] = round(seconds, 1)
    nb.metadata[STAMP_KEY] = stamp
    nbformat.write(nb, path)
    return seconds


def chapter_notebooks(root: Path) -> list[Path]:
    """The chapters' notebooks in reading order."""
    return sorted((root / "chapters").glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every chapter)")
    parser.add_argument("--profile", default=STORED_PROFILE, choices=PROFILES)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    parser.add_argument("--check", action="store_true", help="only verify the stamps")
    parser.add_argument(
        "--no-quick-timing",
        dest="time_quick",
        action="store_false",
        help="skip the timed quick-profile run that precedes the real one",
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or chapter_notebooks(Path.cwd())
    if not notebooks:
        parser.error("no notebooks given and none found under ./chapters")
    if args.check:
        problems = [p for nb in notebooks for p in stamp_problems(nb, args.profile)]
        print("\n".join(problems) or f"{len(notebooks)} notebook stamps are current")
        return 1 if problems else 0
    for path in notebooks:
        print(f"{path}: running in profile {args.profile} ...", flush=True)
        seconds = execute(path, args.profile, args.timeout, args.time_quick)
        print(f"{path}: done in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
