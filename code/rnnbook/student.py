"""Write the student edition: ``python -m rnnbook.student OUTDIR [NB ...]``.

The same chapters with every solution taken out, readable in Colab and Jupyter:

* every gated solution (``solution-start`` ... ``solution-end``) and every whole
  ``solution`` directive is removed, in any fence MyST accepts: backticks, tildes or colons,
  any fence length, with or without options. A solution marker the parser cannot
  pair up is an error: nothing is written rather than a solution shipped;
* code of a solution is kept only where it has nbgrader-style ``### BEGIN SOLUTION`` /
  ``### END SOLUTION`` regions: each region becomes ``# YOUR CODE HERE`` +
  ``raise NotImplementedError()`` and the checker call after it stays, so the cell
  fails until the answer is right (these cells carry the tag ``exercise``). A solution
  with code but no region gets an empty code cell to answer in (tag ``answer``);
* a solution with written prose gets a Markdown cell to answer in (tag ``answer``);
* ``{exercise}`` directives become plain Markdown ("Exercise 2.1: ..."), which Colab
  and Jupyter render, and references to exercises name them by number; other admonitions
  (the learning goals, notes) become a bold title over a quoted block;
* exercise cells have no outputs; every other cell keeps its stored output, and the
  execution stamp is dropped. The setup cell is the chapter's own, so the student
  copy installs the same helper version as the chapter.

The parser (:func:`parse`) is shared with ``rnnbook.assignments`` (nbgrader).
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from rnnbook.execute import STAMP_KEY, chapter_notebooks

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
PROSE_STUB = "*Your answer here.*"
EXERCISE_KEY = "rnnbook_exercise"  # cell metadata: the label of the exercise a cell belongs to
_REGION = re.compile(
    rf"^([ \t]*){re.escape(BEGIN)}[^\n]*\n.*?^[ \t]*{re.escape(END)}[^\n]*$", re.MULTILINE | re.DOTALL
)
# A MyST directive: a fence of 3+ backticks, tildes or colons (up to 3 spaces indented), ``{name}``,
# an argument, a body (options first), and a closing fence of the same character at least
# as long. The body is matched lazily, so a longer outer fence may hold shorter inner ones.
_DIRECTIVE = re.compile(
    r"^[ ]{0,3}(?P<fence>`{3,}|~{3,}|:{3,})[ \t]*\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>[^\n]*)(?:\n|\Z)"
    r"(?P<body>.*?)"
    r"^[ ]{0,3}(?P=fence)(?:`*|~*|:*)[ \t]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL,
)
_GATES = {"solution-start", "solution-end", "solution"}
# Anything that still looks like a solution after parsing means a syntax we do not know.
_LEFTOVER = re.compile(r"\{solution|solution-(?:start|end)|BEGIN SOLUTION|END SOLUTION")
_OPTION = re.compile(r"^:(\w[\w-]*):[ \t]*(.*)$")
# Words of an exercise text that ask for an answer in words, beside any code.
_ASKS_WORDS = re.compile(r"\b(?:explain|why|what|argue|compare|interpret|show that|prove|bound)\b|\?", re.I)
_REF = re.compile(r"\{(?:ref|numref)\}`([^`<]+?)(?:\s*<([^`>]+)>)?`")


class UnrecognisedSolutionError(ValueError):
    """A solution marker that cannot be removed with certainty; the edition is not written."""


@dataclass
class Exercise:
    """One ``{exercise}`` directive and the solution that belongs to it."""

    label: str
    title: str
    body: str
    number: str
    code: list = field(default_factory=list)  # the code cells of its solution
    prose: list = field(default_factory=list)  # the Markdown text of its solution
    solved: bool = False

    @property
    def asks_for_prose(self) -> bool:
        """Whether the student writes an answer in words (not only code a checker grades)."""
        if not self.region_cells:
            return True
        return bool("".join(self.prose).strip()) and bool(_ASKS_WORDS.search(self.body))

    @property
    def region_cells(self) -> list:
        return [cell for cell in self.code if has_region(cell.source)]


def stub_regions(source: str) -> str:
    """Replace each BEGIN/END SOLUTION region by a stub at the region's indentation."""
    return _REGION.sub(lambda m: f"{m[1]}# YOUR CODE HERE\n{m[1]}raise NotImplementedError()", source)


def has_region(source: str) -> bool:
    return BEGIN in source


def split_options(body: str) -> tuple[dict, str]:
    """A directive body's ``:key: value`` options (or a ``---`` YAML block) and its content."""
    lines, options = body.split("\n"), {}
    if lines and lines[0].strip() == "---" and "---" in (line.strip() for line in lines[1:]):
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        for line in lines[1:end]:
            key, _, value = line.partition(":")
            options[key.strip()] = value.strip()
        return options, "\n".join(lines[end + 1 :]).strip()
    while lines and (match := _OPTION.match(lines[0])):
        options[match[1]] = match[2].strip()
        lines.pop(0)
    return options, "\n".join(lines).strip()


def segments(source: str) -> list[tuple[str | None, re.Match | str]]:
    """A Markdown source as ``(None, text)`` and ``(directive name, match)`` pieces, in order."""
    pieces, position = [], 0
    for match in _DIRECTIVE.finditer(source):
        if match.start() > position:
            pieces.append((None, source[position : match.start()]))
        pieces.append((match["name"], match))
        position = match.end()
    if position < len(source):
        pieces.append((None, source[position:]))
    return pieces


def chapter_number(path: Path) -> str:
    prefix = path.stem.split("_", 1)[0]
    return str(int(prefix)) if prefix.isdigit() else path.stem


@dataclass
class Parsed:
    """A chapter as ``(kind, thing)`` items; kind is "cell", "stub", "exercise" or "answer"."""

    items: list
    exercises: dict


def parse(cells: list, chapter: str = "", where: str = "notebook") -> Parsed:
    """Split a chapter's cells into visible cells, exercises and their solutions.

    ``("answer", ex)`` stands where the solution of ``ex`` ends; ``("stub", cell)`` is a
    code cell with solution regions outside any gated solution. Raises
    UnrecognisedSolutionError for a gate without its partner or an unknown label.
    """
    items, exercises, open_ex = [], {}, None

    def exercise_for(arg: str, index: int) -> Exercise:
        label = arg.split()[0] if arg.split() else ""
        if label not in exercises:
            raise UnrecognisedSolutionError(
                f"{where}, cell {index}: solution for {label or '(no label)'!r}, expected the label of an "
                f"exercise above it (known: {', '.join(exercises) or 'none'})"
            )
        return exercises[label]

    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            if open_ex is not None:
                open_ex.code.append(cell)
            else:
                items.append(("stub" if has_region(cell.source) else "cell", cell))
            continue
        visible = []

        def flush(cell=cell, visible=visible):
            text = "".join(visible).strip()
            visible.clear()
            if text:
                kept = copy.deepcopy(cell)
                kept.source = text
                items.append(("cell", kept))

        for name, piece in segments(cell.source):
            if name is None or name not in _GATES | {"exercise"}:
                text = piece if name is None else piece[0]
                (open_ex.prose if open_ex is not None else visible).append(text)
            elif name == "exercise":
                if open_ex is not None:
                    raise UnrecognisedSolutionError(
                        f"{where}, cell {index}: an exercise inside an open solution"
                    )
                flush()
                options, body = split_options(piece["body"])
                label = options.get("label", f"exercise-{len(exercises) + 1}")
                number = f"{chapter}.{len(exercises) + 1}" if chapter else str(len(exercises) + 1)
                exercises[label] = ex = Exercise(label, piece["arg"].strip(), body, number)
                items.append(("exercise", ex))
            elif name == "solution-start":
                if open_ex is not None:
                    raise UnrecognisedSolutionError(
                        f"{where}, cell {index}: solution-start inside an open solution"
                    )
                flush()
                open_ex = exercise_for(piece["arg"], index)
                open_ex.solved = True
            elif name == "solution-end":
                if open_ex is None:
                    raise UnrecognisedSolutionError(
                        f"{where}, cell {index}: solution-end without solution-start"
                    )
                items.append(("answer", open_ex))
                open_ex = None
            else:  # a whole {solution} directive
                flush()
                ex = exercise_for(piece["arg"], index)
                ex.solved = True
                ex.prose.append(split_options(piece["body"])[1])
                items.append(("answer", ex))
        flush()
    if open_ex is not None:
        raise UnrecognisedSolutionError(f"{where}: the solution of {open_ex.label!r} has no solution-end")
    unsolved = [("answer", thing) for kind, thing in items if kind == "exercise" and not thing.solved]
    for answer in unsolved:  # an exercise without any solution still gets an answer cell
        position = next(
            i for i, (kind, thing) in enumerate(items) if kind == "exercise" and thing is answer[1]
        )
        items.insert(position + 1, answer)
    return Parsed(items, exercises)


def exercise_markdown(ex: Exercise, exercises: dict) -> str:
    """The exercise as plain Markdown: a heading with its number and title, then its text."""
    title = f": {ex.title}" if ex.title else ""
    return f"### Exercise {ex.number}{title}\n\n{plain_refs(ex.body, exercises)}"


def plain_refs(text: str, exercises: dict) -> str:
    """``{ref}`label``` to an exercise becomes "Exercise 2.3"; other references keep their text."""

    def replace(match: re.Match) -> str:
        label = (match[2] or match[1]).strip()
        if label in exercises:
            return f"Exercise {exercises[label].number}"
        return match[1].strip() if match[2] else f"`{label}`"

    return _REF.sub(replace, text)


def _tagged(cell, tag: str, label: str | None):
    cell.metadata.setdefault("tags", [])
    if tag not in cell.metadata["tags"]:
        cell.metadata["tags"].append(tag)
    if label:
        cell.metadata[EXERCISE_KEY] = label
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def answer_cells(ex: Exercise) -> list:
    """What a student gets where the solution of ``ex`` was (see the module docstring)."""
    cells = []
    for cell in ex.region_cells:
        stub = copy.deepcopy(cell)
        stub.source = stub_regions(cell.source)
        cells.append(_tagged(stub, "exercise", ex.label))
    if ex.code and not ex.region_cells:
        cells.append(
            cell_with_id(_tagged(new_code_cell("# YOUR CODE HERE"), "answer", ex.label), f"{ex.label}-code")
        )
    if ex.asks_for_prose:
        prose = new_markdown_cell(f"**Your answer to Exercise {ex.number}:** {PROSE_STUB}")
        cells.append(cell_with_id(_tagged(prose, "answer", ex.label), f"{ex.label}-prose"))
    return cells


def cell_with_id(cell, cell_id: str):
    """A new cell gets an id made from what it is, so that the edition is reproducible."""
    cell["id"] = re.sub(r"[^A-Za-z0-9_-]", "-", cell_id)[:64]
    return cell


def unique_ids(cells: list) -> list:
    """Cells split from one chapter cell share its id: number the copies."""
    seen: dict[str, int] = {}
    for cell in cells:
        base = cell.get("id") or "cell"
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            cell["id"] = f"{base[:58]}-{seen[base]}"
    return cells


_ADMONITIONS = {"admonition", "note", "tip", "warning", "important", "hint", "caution", "seealso"}


def plain_admonitions(source: str) -> str:
    """Markdown with each MyST admonition (``{admonition} Title``, ``{note}``...) as plain
    Markdown: a bold title, then the body as a block quote. Colab and Jupyter show the raw
    directive as a code block; this is what they render as a box's equivalent.
    """
    pieces = []
    for name, piece in segments(source):
        if name not in _ADMONITIONS:
            pieces.append(piece if name is None else piece[0])
            continue
        _options, body = split_options(piece["body"])
        title = piece["arg"].strip() or name.capitalize()
        quoted = "\n".join(f"> {line}".rstrip() for line in body.split("\n"))
        # blank lines around: the title is its own paragraph, and the text after the
        # quote does not continue it (Markdown's lazy continuation)
        pieces.append(f"\n**{title}**\n\n{quoted}\n\n")
    return "".join(pieces)


def student_cells(cells: list, chapter: str = "", where: str = "notebook") -> list:
    """The cells a student sees (see the module docstring)."""
    parsed = parse(cells, chapter, where)
    kept = []
    for kind, thing in parsed.items:
        if kind == "cell":
            if thing.cell_type == "markdown":
                thing.source = plain_admonitions(plain_refs(thing.source, parsed.exercises))
            kept.append(thing)
        elif kind == "stub":
            thing.source = stub_regions(thing.source)
            kept.append(_tagged(thing, "exercise", None))
        elif kind == "exercise":
            text = new_markdown_cell(
                exercise_markdown(thing, parsed.exercises), metadata={EXERCISE_KEY: thing.label}
            )
            kept.append(cell_with_id(text, f"{thing.label}-text"))
        else:
            kept.extend(answer_cells(thing))
    for index, cell in enumerate(kept):
        if _LEFTOVER.search(cell.source):
            raise UnrecognisedSolutionError(
                f"{where}: student cell {index} still holds a solution marker the parser does not "
                f"recognise; fix the chapter's syntax (nothing was written):\n{cell.source[:300]}"
            )
    return unique_ids(kept)


# MyST-NB's glue roles: {glue}`name`, {glue:text}`name:.2f`, ... (rendered only by the book).
_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([\w.-]+)(?::([^`]*))?`")


def glued_values(nb: dict) -> dict[str, str]:
    """The text/plain of every value the notebook's stored outputs glue, by name.

    ``nb`` is a notebook as nbformat or plain JSON reads it.
    """
    values = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None:
                text = next((v for k, v in output.get("data", {}).items() if k.endswith("text/plain")), "")
                values[name] = "".join(text) if isinstance(text, list) else text
    return values


def fill_glue(source: str, values: dict[str, str]) -> str:
    """Markdown with each glue role replaced by its stored value, formatted as the book does.

    Colab and Jupyter do not render MyST-NB roles; a student would see the raw role and not
    the number. Raises ValueError naming a role whose value the notebook does not store.
    """

    def value_of(match: re.Match) -> str:
        name, fmt = match[1], match[2]
        if name not in values:
            raise ValueError(f"glue role {match[0]!r}: no stored output glues {name!r} (re-execute)")
        try:
            value = ast.literal_eval(values[name])
        except (ValueError, SyntaxError):
            value = values[name]
        return format(value, fmt) if fmt else str(value)

    return _GLUE_ROLE.sub(value_of, source)


def student_notebook(path: Path) -> nbformat.NotebookNode:
    """The student version of one chapter, in memory."""
    nb = nbformat.read(path, as_version=4)
    values = glued_values(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = fill_glue(cell.source, values)
    nb.cells = student_cells(nb.cells, chapter_number(path), str(path))
    for cell in nb.cells:  # the chapters fold their solution cells; a student's answer cell is open
        cell.metadata.pop("cellView", None)
        cell.metadata.get("jupyter", {}).pop("source_hidden", None)
        if cell.metadata.get("jupyter") == {}:
            del cell.metadata["jupyter"]
    nb.metadata.pop(STAMP_KEY, None)
    nbformat.validator.normalize(nb)
    nbformat.validate(nb)
    return nb


def make_student_edition(path: Path, outdir: Path) -> Path:
    """Write the student version of one notebook into ``outdir``; returns its path."""
    target = outdir / path.name
    nbformat.write(student_notebook(path), target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook.student", description=__doc__.splitlines()[0].replace("``", "")
    )
    parser.add_argument("outdir", type=Path, help="folder for the student notebooks")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or chapter_notebooks(Path.cwd())
    if not notebooks:
        parser.error("no notebooks given and none found under ./chapters")
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if args.outdir.resolve() in {nb.resolve().parent for nb in notebooks}:
        parser.error("OUTDIR must not be the chapters' folder: it would overwrite the solutions")
    editions = {path: student_notebook(path) for path in notebooks}  # all parsed before any is written
    args.outdir.mkdir(parents=True, exist_ok=True)
    for path, nb in editions.items():
        target = args.outdir / path.name
        nbformat.write(nb, target)
        print(f"{target}  ({target.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
