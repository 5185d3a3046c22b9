"""The chapter catalogue on the instructors' page: ``python -m rnnbook.catalog [--write]``.

For every chapter: its title, its run times (from the execution stamps that
``python -m rnnbook.execute`` wrote, so they are measured, not typed), its exercises
and the checkers that grade them. ``--write`` puts the table into ``instructors.md``
between the catalogue markers; the tests fail when the page is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from rnnbook.execute import STAMP_KEY, chapter_notebooks

PAGE = "instructors.md"
BEGIN, END = "<!-- BEGIN CATALOGUE (python -m rnnbook.catalog --write) -->", "<!-- END CATALOGUE -->"
_EXERCISE = re.compile(r"^(?:`{3,}|:{3,})\{exercise\}\s*(.*?)\s*$", re.MULTILINE)
_CHECKER = re.compile(r"\bch\d\d\.(check_\w+)\s*\(")  # a checker of rnnbook.checks.chNN, called


def _minutes(seconds) -> str:
    if seconds is None:
        return "not measured"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def chapter_row(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), path.stem)
    stamp = nb.metadata.get(STAMP_KEY, {})
    exercises = "; ".join(_EXERCISE.findall(markdown)) or "none"
    checkers = ", ".join(f"`{name}`" for name in dict.fromkeys(_CHECKER.findall(code))) or "none"
    link = f"[{title}](chapters/{path.stem})"
    return (
        f"| {link} | {_minutes(stamp.get('quick_seconds'))} | {_minutes(stamp.get('seconds'))} "
        f"| {exercises} | {checkers} |"
    )


def catalogue(root: Path) -> str:
    rows = [chapter_row(path) for path in chapter_notebooks(root)]
    header = (
        "| chapter | `quick` run | `cpu` run | exercises | checkers (`rnnbook.checks`) |\n"
        "|---|---|---|---|---|"
    )
    return "\n".join([header, *rows])


def render_page(root: Path) -> str:
    """The instructors' page with a fresh catalogue between the markers."""
    text = (root / PAGE).read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{PAGE} lacks the catalogue markers {BEGIN!r} ... {END!r}")
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{BEGIN}\n{catalogue(root)}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {PAGE} in place")
    args = parser.parse_args(argv)
    root = Path.cwd()
    if args.write:
        (root / PAGE).write_text(render_page(root), encoding="utf-8")
        print(f"updated {PAGE}")
    else:
        print(catalogue(root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
