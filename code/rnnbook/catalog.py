"""The catalogue on the instructors' page: ``python -m rnnbook.catalog [--write]``.

Two tables, both generated from the chapters so that they cannot drift from them:

* per chapter: its run times (from the execution stamps that ``python -m rnnbook.execute``
  wrote, so they are measured, not typed), its number of exercises, their points and
  the estimated student time;
* per exercise: points, estimated student time and difficulty (the instructor's
  judgement, kept in :data:`EXERCISES`), how it is graded (the checker the exercise's
  cells call, read from the chapter, or "by hand"), and the learning goal it
  practises, quoted from the chapter's goals box.

``--write`` puts the tables into ``instructors.md`` between the catalogue markers (and
says when nothing changed); the tests fail when the page is out of date or an exercise
has no entry in :data:`EXERCISES`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat

from rnnbook import student  # the parser that also makes the student edition
from rnnbook.execute import STAMP_KEY, chapter_notebooks

PAGE = "instructors.md"
BEGIN, END = "<!-- BEGIN CATALOGUE (python -m rnnbook.catalog --write) -->", "<!-- END CATALOGUE -->"
_CHECKER = re.compile(r"\bch\d\d\.(check_\w+)\s*\(")  # a checker of rnnbook.checks.chNN, called


class Meta(NamedTuple):
    """An instructor's estimate for one exercise: not measured."""

    points: int
    minutes: int  # estimated time for a student who has worked through the chapter
    difficulty: int  # 1 (routine) to 3 (needs a new idea)
    goal: int  # which learning goal of the chapter it practises (1-based)


# Keyed by the exercise's label in the chapter. A new exercise needs an entry here.
EXERCISES: dict[str, Meta] = {
    "ch01-rnn-step": Meta(2, 15, 1, 3),
    "ch01-count-stacked": Meta(2, 15, 2, 4),
    "ch01-running-sum": Meta(2, 20, 2, 6),
    "ch01-which-shape": Meta(1, 10, 1, 2),
    "ch01-break-latch": Meta(2, 20, 2, 6),
    "ch02-batch-bptt": Meta(3, 30, 3, 5),
    "ch02-find-the-bug": Meta(2, 15, 2, 3),
    "ch02-epsilon": Meta(3, 40, 3, 3),
    "ch02-lengths": Meta(3, 40, 2, 4),
    "ch03-clip-by-norm": Meta(2, 15, 1, 4),
    "ch03-jacobian": Meta(3, 30, 3, 1),
    "ch03-direction": Meta(1, 10, 1, 4),
    "ch03-orthogonal": Meta(2, 15, 2, 5),
    "ch04-temperature": Meta(2, 15, 1, 5),
    "ch04-ce-grad": Meta(3, 25, 2, 2),
    "ch04-carry": Meta(3, 40, 3, 3),
    "ch04-bigram": Meta(3, 30, 2, 2),
    "ch04-truncation": Meta(3, 40, 3, 3),
    "ch05-param-count": Meta(2, 15, 1, 2),
    "ch05-windows": Meta(2, 20, 2, 1),
    "ch05-many-to-many": Meta(2, 15, 2, 4),
    "ch05-baseline": Meta(1, 15, 2, 3),
    "ch06-lstm-fused": Meta(3, 30, 2, 4),
    "ch06-gru-reset-before": Meta(3, 30, 3, 4),
    "ch06-forget-bias": Meta(1, 10, 2, 2),
    "ch06-redundant-bias": Meta(1, 10, 2, 5),
    "ch06-silence": Meta(2, 30, 3, 6),
    "ch07-windows": Meta(2, 20, 2, 3),
    "ch07-onehot-bytes": Meta(1, 10, 1, 3),
    "ch07-temperature": Meta(2, 15, 1, 4),
    "ch07-lookup": Meta(1, 15, 2, 2),
    "ch08-temperature": Meta(2, 15, 1, 4),
    "ch08-units": Meta(2, 15, 1, 2),
    "ch08-stop-or-crash": Meta(2, 20, 2, 3),
    "ch08-split": Meta(1, 10, 2, 2),
    "ch09-attention-pool": Meta(3, 30, 2, 5),
    "ch09-causal-ceiling": Meta(3, 30, 3, 4),
    "ch09-delay": Meta(2, 30, 3, 4),
    "ch09-peek": Meta(1, 15, 2, 4),
    "ch10-seasonal-naive": Meta(2, 20, 2, 1),
    "ch10-pad-mask": Meta(2, 20, 2, 4),
    "ch10-similar-chars": Meta(3, 30, 3, 5),
    "ch10-linear-series": Meta(1, 15, 2, 2),
    "ch11-masked-softmax": Meta(2, 20, 2, 3),
    "ch11-beam-step": Meta(3, 40, 3, 5),
    "ch11-exposure": Meta(1, 15, 2, 2),
    "ch11-length": Meta(2, 15, 2, 5),
    "ch11-count-ambiguous": Meta(2, 20, 2, 1),
    "ch11-budget": Meta(2, 45, 2, 4),
}


def exercise_meta(label: str) -> Meta:
    """The entry of one exercise; ValueError naming the label when it has none."""
    if label not in EXERCISES:
        raise ValueError(
            f"exercise {label!r} has no entry in rnnbook.catalog.EXERCISES (points, minutes, "
            "difficulty, goal); add one"
        )
    return EXERCISES[label]


def exercise_points(label: str) -> int:
    return exercise_meta(label).points


def missing_entries(root: Path) -> list[str]:
    """Labels of the chapters' exercises that have no entry in :data:`EXERCISES`."""
    missing = []
    for path in chapter_notebooks(root):
        parsed = student.parse(
            nbformat.read(path, as_version=4).cells, student.chapter_number(path), str(path)
        )
        missing += [f"{path.name}: {label}" for label in parsed.exercises if label not in EXERCISES]
    return missing


def _minutes(seconds) -> str:
    if seconds is None:
        return "not measured"
    # a no-break space: "14 s" never splits over two lines of a narrow table
    return f"{seconds:.0f}\u00a0s" if seconds < 90 else f"{seconds / 60:.1f}\u00a0min"


def learning_goals(markdown: str) -> list[str]:
    """The items of the chapter's "Learning goals" list, each on one line."""
    start = markdown.find("Learning goals")
    goals: list[str] = []
    if start < 0:
        return goals
    for line in markdown[start:].splitlines()[1:]:
        if line.startswith("- "):
            goals.append(line[2:].strip())
        elif goals and line.startswith("  ") and line.strip():
            goals[-1] += " " + line.strip()
        elif goals:
            break
    return [goal.rstrip(";.") for goal in goals]


def _short(text: str, width: int = 72) -> str:
    text = text.replace("|", "\\|")
    if len(text) <= width:
        return text
    cut = text[: text.rfind(" ", 0, width)]
    for mark in ("$", "`"):  # never cut inside inline math or code
        if cut.count(mark) % 2:
            cut = cut[: cut.rfind(mark)].rstrip()
    return cut + " …"


class Chapter(NamedTuple):
    row: str
    exercise_rows: list[str]


def chapter_rows(path: Path) -> Chapter:
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), path.stem)
    goals = learning_goals(markdown)
    parsed = student.parse(nb.cells, student.chapter_number(path), str(path))
    rows = []
    for ex in parsed.exercises.values():
        meta = EXERCISES.get(ex.label)
        if meta is None:  # a new exercise: the page says so, and a test names it
            rows.append(
                f"| {ex.number} {ex.title} | not set | not set | not set | | `{ex.label}`: no entry |"
            )
            continue
        checkers = dict.fromkeys(_CHECKER.findall("\n".join(c.source for c in ex.code)))
        graded = ", ".join(f"`{name}`" for name in checkers) or "by hand"
        if checkers and ex.asks_for_prose:
            graded += " + by hand"
        if not 1 <= meta.goal <= len(goals):
            raise ValueError(
                f"{ex.label}: goal {meta.goal}, but {path.name} lists {len(goals)} learning goals"
            )
        rows.append(
            f"| {ex.number} {ex.title} | {meta.points} | {meta.minutes} min | {'★' * meta.difficulty} "
            f"| {graded} | {meta.goal}. {_short(goals[meta.goal - 1])} |"
        )
    metas = [EXERCISES[label] for label in parsed.exercises if label in EXERCISES]
    stamp = nb.metadata.get(STAMP_KEY, {})
    quick = _minutes(stamp.get("quick_seconds"))
    if _same_sizes(f"ch{path.stem[:2]}", "quick", "cpu"):  # one run measured twice: noise
        quick = "as `cpu`"
    row = (
        f"| [{title}](chapters/{path.stem}) | {quick} "
        f"| {_minutes(stamp.get('seconds'))} | {len(metas)} | {sum(m.points for m in metas)} "
        f"| {sum(m.minutes for m in metas)} min |"
    )
    return Chapter(row, rows)


def _same_sizes(chapter: str, profile: str, other: str) -> bool:
    """True when ``chapter`` runs the very same sizes in both profiles (chapter 1)."""
    from rnnbook import profiles

    entry = profiles.SIZES.get(chapter, {})
    return profile in entry and entry.get(profile) == entry.get(other)


def catalogue(root: Path) -> str:
    chapters = [chapter_rows(path) for path in chapter_notebooks(root)]
    return "\n".join(
        [
            "| chapter | `quick` run | `cpu` run | exercises | points | student time (est.) |",
            "|---|--:|--:|--:|--:|--:|",
            *(c.row for c in chapters),
            "",
            "| exercise | points | time (est.) | difficulty | graded by | learning goal it practises |",
            "|---|--:|--:|---|---|---|",
            *(row for c in chapters for row in c.exercise_rows),
        ]
    )


def render_page(root: Path) -> str:
    """The instructors' page with a fresh catalogue between the markers."""
    text = (root / PAGE).read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{PAGE} lacks the catalogue markers {BEGIN!r} ... {END!r}")
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{BEGIN}\n{catalogue(root)}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook.catalog", description=__doc__.splitlines()[0].replace("``", "")
    )
    parser.add_argument("--write", action="store_true", help=f"update {PAGE} in place")
    args = parser.parse_args(argv)
    root = Path.cwd()
    if not args.write:
        print(catalogue(root))
        return 0
    for entry in missing_entries(root):
        print(f"warning: no points, time, difficulty or goal for {entry} (rnnbook.catalog.EXERCISES)")
    page, fresh = root / PAGE, render_page(root)
    if page.read_text(encoding="utf-8") == fresh:
        print(f"{PAGE} is up to date: nothing changed")
    else:
        page.write_text(fresh, encoding="utf-8")
        print(f"updated {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
