"""The hidden first cell of every chapter, which installs this package in Colab (maintainers' tool).

``python -m rnnbook.execute`` writes the cell before it runs a chapter, pinned to the
commit whose helper code the run used, so that a Colab reader gets the helpers the
stored outputs were made with, not whatever ``main`` holds by then. The repository URL
comes from the book's ``_config.yml`` (its one home).

The cell installs with ``pip`` in a subprocess rather than ``%pip``: it can then check
the result and raise with a message that says what failed and what to do (instead of the
next cell's bare ``ModuleNotFoundError``), never waits for a git password
(``GIT_TERMINAL_PROMPT=0``), and does not print "you may need to restart the kernel"
(a package new to the environment needs no restart).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import yaml

TEMPLATE = """\
# Colab setup (hidden in the book): install the helper package where it is missing.
import importlib
import importlib.util
import os
import subprocess
import sys

RNNBOOK_REF = "{ref}"  # the commit this notebook's outputs were made with
if "google.colab" in sys.modules and importlib.util.find_spec("rnnbook") is None:
    url = "git+{url}@" + RNNBOOK_REF + "#subdirectory=code"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", url],
        env={{**os.environ, "GIT_TERMINAL_PROMPT": "0"}},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"Installing the book's helpers failed: pip install {{url}}\\n"
            f"{{done.stderr[-1500:]}}\\nCheck that this runtime is online "
            "(Runtime > Change runtime type), then run this cell again."
        )
    importlib.invalidate_caches()
"""

_REF = re.compile(r'^RNNBOOK_REF = "([^"]+)"', re.MULTILINE)


def repository_url(root: Path) -> str:
    """The repository URL from ``root/_config.yml`` (``repository.url``)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def render(url: str, ref: str) -> str:
    """The setup cell's source for the repository ``url`` pinned to ``ref`` (a commit or tag)."""
    return TEMPLATE.format(url=url, ref=ref)


def pinned_ref(source: str) -> str | None:
    """The ref a setup cell's source pins, or None when it is not a setup cell of this form."""
    match = _REF.search(source)
    return match[1] if match else None


def head_commit(root: Path) -> str:
    """The commit checked out in ``root``.

    Raises RuntimeError when ``root`` is not a git checkout, or when the helper package
    (``code/``) has uncommitted changes: a Colab reader could not install the code that
    made the outputs.
    """

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed in {root}: {done.stderr.strip()}")
        return done.stdout.strip()

    if git("status", "--porcelain", "--", "code"):
        raise RuntimeError(
            "code/ has uncommitted changes: commit them first, so that the chapters' Colab "
            "setup cells can pin the helper code their outputs are made with"
        )
    return git("rev-parse", "HEAD")


def _first_code_cell(nb: nbformat.NotebookNode):
    return next((c for c in nb.cells if c.cell_type == "code"), None)


def has_setup_cell(nb: nbformat.NotebookNode) -> bool:
    """Whether the notebook's first code cell is a Colab setup cell."""
    cell = _first_code_cell(nb)
    return cell is not None and "google.colab" in cell.source


def pin(nb: nbformat.NotebookNode, url: str, ref: str) -> None:
    """Replace the notebook's first code cell (its setup cell) by one pinned to ``ref``.

    Raises ValueError when the first code cell is not a Colab setup cell.
    """
    if not has_setup_cell(nb):
        raise ValueError("the notebook's first code cell is not the Colab setup cell")
    _first_code_cell(nb).source = render(url, ref).rstrip("\n")


def _is_solution_start(source: str) -> bool:
    return "{solution-start}" in source or "{solution}" in source


def fold_solutions(nb: nbformat.NotebookNode) -> int:
    """Fold the solutions in Jupyter and Colab, as the book's dropdowns do in the HTML.

    Each cell of a gated solution (the Markdown cell that opens it, with its prose, and the
    code cells up to ``solution-end``) gets ``metadata.jupyter.source_hidden`` (JupyterLab,
    Notebook 7); code cells also get ``metadata.cellView = "form"`` (Colab shows such a
    cell folded, with "Show code"). A Markdown cell that also holds an exercise's text stays
    open. Metadata only: the stamp of the outputs does not change. Returns the number of
    cells folded.
    """
    folded, inside = 0, False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "{solution-end}" in cell.source:
                inside = False
                continue
            if _is_solution_start(cell.source):
                inside = "{solution-start}" in cell.source
                if "{exercise}" in cell.source:
                    continue  # the exercise's text is in this cell too: keep it readable
            elif not inside:
                continue
        elif not inside:
            continue
        cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        if cell.cell_type == "code":
            cell.metadata["cellView"] = "form"
        folded += 1
    return folded
