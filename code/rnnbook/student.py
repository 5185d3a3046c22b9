"""Write the student edition: ``python -m rnnbook.student OUTDIR [NB ...]``.

The same chapters with every solution taken out:

* markdown inside ``solution-start`` / ``solution-end`` blocks (and whole ``solution``
  directives) is removed;
* code inside a gated solution is kept only when it has nbgrader-style
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions: each region becomes
  ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` (the checker call after it
  stays, so the student gets feedback); other solution code is removed;
* exercise cells have no outputs, and the execution stamp is dropped.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from rnnbook.execute import STAMP_KEY, chapter_notebooks

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_REGION = re.compile(
    rf"^([ \t]*){re.escape(BEGIN)}[^\n]*\n.*?^[ \t]*{re.escape(END)}[^\n]*$", re.MULTILINE | re.DOTALL
)
# A gate marker is a whole fenced directive; one markdown cell may hold several.
_MARKER = re.compile(r"^```\{solution-(start|end)\}.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
_SOLUTION_BLOCK = re.compile(r"^(`{3,}|:{3,})\{solution\}.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)


def stub_regions(source: str) -> str:
    """Replace each BEGIN/END SOLUTION region by a stub at the region's indentation."""
    return _REGION.sub(lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()", source)


def has_region(source: str) -> bool:
    return BEGIN in source


def _visible_markdown(source: str, in_solution: bool) -> tuple[str, bool]:
    """The parts of a markdown cell outside solutions, and whether a solution is open at its end."""
    kept, position = [], 0
    for marker in _MARKER.finditer(source):
        if not in_solution:
            kept.append(source[position : marker.start()])
        in_solution = marker[1] == "start"
        position = marker.end()
    if not in_solution:
        kept.append(source[position:])
    text = _SOLUTION_BLOCK.sub("", "".join(kept))
    return text.strip(), in_solution


def student_cells(cells: list) -> list:
    """The cells a student sees (see the module docstring)."""
    kept, in_solution = [], False
    for cell in cells:
        if cell.cell_type == "markdown":
            cell.source, in_solution = _visible_markdown(cell.source, in_solution)
            if cell.source:
                kept.append(cell)
            continue
        if has_region(cell.source):
            cell.source = stub_regions(cell.source)
            cell.outputs, cell.execution_count = [], None
            cell.metadata.setdefault("tags", [])
            if "exercise" not in cell.metadata["tags"]:
                cell.metadata["tags"].append("exercise")
            kept.append(cell)
        elif not in_solution:
            kept.append(cell)
    return kept


def make_student_edition(path: Path, outdir: Path) -> Path:
    """Write the student version of one notebook into ``outdir``; returns its path."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = student_cells(nb.cells)
    nb.metadata.pop(STAMP_KEY, None)
    nbformat.validate(nb)
    target = outdir / path.name
    nbformat.write(nb, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder for the student notebooks")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or chapter_notebooks(Path.cwd())
    if not notebooks:
        parser.error("no notebooks given and none found under ./chapters")
    if args.outdir.resolve() in {nb.resolve().parent for nb in notebooks}:
        parser.error("OUTDIR must not be the chapters' folder: it would overwrite the solutions")
    args.outdir.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        target = make_student_edition(path, args.outdir)
        print(f"{target}  ({target.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
