"""Every number in a chapter's prose is computed, stored or a declared constant.

A number written by hand into a chapter's Markdown goes stale when a re-run changes
the result beside it. This test reads each chapter's Markdown cells and fails on any
number that is none of:

* inserted from a computed value with MyST-NB's ``{glue:text}`` role (glue roles, like
  all inline code, are not prose and are skipped);
* equal to a number in one of the chapter's stored outputs (printed text, text/plain
  results, glued values, error messages), compared as values, so that "0.05" in the
  prose matches "0.05" in a printout;
* a constant or setting the chapter declares in its notebook metadata,
  ``metadata["rnnbook_prose"]["constants"]``: a mapping from the number as written to
  why it is not a result (a definition, a hyperparameter, a mathematical constant);
* a reference, not a quantity: a chapter or part number ("chapter 3", "chapters 5 and
  6"), a citation year (1950-2029), the number in a heading.

Mathematics (``$...$``, ``$$...$$``), code (fenced blocks and inline code), link
targets and directive options are not prose and are skipped too.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from rnnbook.student import glued_values

CHAPTERS_DIR = Path(__file__).resolve().parents[1] / "chapters"
# Chapters held to the rule: every chapter of the book, a new one included.
CHECKED = sorted(p.name for p in CHAPTERS_DIR.glob("[0-9][0-9]_*.ipynb"))
METADATA_KEY = "rnnbook_prose"

# A thousands comma sits between digits: "2014," ends at the 4 (a citation year, then a comma).
NUMBER = re.compile(r"(?<![\w.\-])-?\d(?:[\d,]*\d)?(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_SKIP_INLINE = [
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display maths
    re.compile(r"(?<!\\)\$[^$\n]+\$"),  # inline maths
    re.compile(r"(`+)[^`].*?\1", re.DOTALL),  # inline code, glue roles included
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<[^>\n]+>"),  # HTML tags
    re.compile(r"\{[a-z-]+\}"),  # role names left in front of their code
]
_REFERENCE = re.compile(
    r"\b(?:[Cc]hapters?|[Pp]arts?|[Ss]ections?|[Ee]xercises?|[Aa]ppendix)\s+"
    r"\d+(?:\.\d+)?(?:(?:\s*,\s*|\s+(?:and|to|or)\s+)\d+(?:\.\d+)?)*"
)


def prose(markdown: str) -> str:
    """The prose of a Markdown cell: without code blocks, maths, code, options."""
    kept, fence = [], None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line.strip())
        if fence is None and opening:
            # a MyST directive ({exercise}, {admonition}, ...) holds prose; code does not
            is_directive = opening.group(2).strip().startswith("{")
            fence = (opening.group(1), is_directive)
            continue
        if fence is not None and line.strip() == fence[0]:
            fence = None
            continue
        if fence is not None and not fence[1]:
            continue  # inside a code block
        if re.match(r"\s*:[\w-]+:", line):
            continue  # a directive option such as :label: or :class:
        if line.lstrip().startswith("#"):
            continue  # headings are numbered by chapter, not by a result
        kept.append(re.sub(r"^\s*\d+\.\s", " ", line))  # list markers are not quantities
    text = "\n".join(kept)
    for pattern in _SKIP_INLINE:
        text = pattern.sub(" ", text)
    return _REFERENCE.sub(" ", text)


def value(token: str) -> float:
    return float(token.replace(",", ""))


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text)


def output_numbers(nb: dict) -> set[float]:
    """Every number in the stored outputs of the notebook's code cells."""
    found: set[float] = set()
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            texts = []
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            for mime, data in output.get("data", {}).items():
                if mime.endswith("text/plain"):
                    texts.append(data)
            if output.get("output_type") == "error":
                texts.append(output.get("evalue", ""))
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                for token in numbers_in(text):
                    try:
                        found.add(value(token))
                    except ValueError:
                        pass
    return found


def is_year(token: str) -> bool:
    return re.fullmatch(r"(19[5-9]\d|20[0-2]\d)", token) is not None


def unsupported_numbers(nb: dict) -> list[str]:
    """Numbers in the prose that are neither stored, glued, declared nor references."""
    constants = nb.get("metadata", {}).get(METADATA_KEY, {}).get("constants", {})
    declared = {value(token) for token in constants}
    stored = output_numbers(nb)
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for token in numbers_in(prose(source)):
            number = value(token)
            if is_year(token) or number in declared or number in stored:
                continue
            problems.append(f"cell {index}: {token}")
    return problems


@pytest.mark.parametrize("name", CHECKED)
def test_prose_numbers_are_computed_stored_or_declared(name):
    nb = json.loads((CHAPTERS_DIR / name).read_text(encoding="utf-8"))
    problems = unsupported_numbers(nb)
    assert not problems, (
        f"{name}: numbers in the prose that no output, glue or declared constant supports "
        f"(glue the value, or declare it in metadata[{METADATA_KEY!r}]['constants'] with "
        f"a reason): {', '.join(problems)}"
    )


def test_a_stale_number_fails():
    """A number written by hand and not in any output is caught; stored ones are not."""
    nb = {
        "metadata": {METADATA_KEY: {"constants": {"65": "vocabulary size"}}},
        "cells": [
            {
                "cell_type": "code",
                "source": "",
                "outputs": [{"output_type": "stream", "text": "loss 1.722\n"}],
            },
            {"cell_type": "markdown", "source": "The loss is 1.722 of 65 characters; the gap is 0.458."},
        ],
    }
    assert unsupported_numbers(nb) == ["cell 1: 0.458"]


def test_what_is_not_prose_is_skipped():
    text = (
        "See chapter 3 and chapters 5 and 6 (Bengio, 1994). Here $x_1 = 0.3$ and\n"
        "$$y = 2.5$$ and `rnn(7)` and {glue:text}`gap:.2f` [ref](https://a.b/9.9).\n"
        "```python\nprint(12.5)\n```\n"
        "```{exercise} Title\n:label: ch01-x\nUse 4.2 here.\n```\n"
    )
    assert numbers_in(prose(text)) == ["1994", "4.2"]


def test_numbers_are_compared_as_values():
    nb = {
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "source": "",
                "outputs": [{"output_type": "stream", "text": "1,115,394 chars, 0.050\n"}],
            },
            {"cell_type": "markdown", "source": "It has 1115394 characters and a rate of 0.05."},
        ],
    }
    assert unsupported_numbers(nb) == []


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([\w.-]+)(?::([^`]*))?`")


def glue_problems(nb: dict) -> list[str]:
    """Glue roles whose value is not stored, or cannot take the role's number format."""
    stored, problems = glued_values(nb), []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for name, fmt in GLUE_ROLE.findall("".join(cell["source"])):
            if name not in stored:
                problems.append(f"{name}: no stored output glues it (re-execute the chapter)")
            elif fmt and fmt[-1] in "eEfFgGn%":
                try:  # what myst-nb does: literal_eval, then float
                    float(ast.literal_eval(stored[name]))
                except (ValueError, SyntaxError, TypeError):
                    problems.append(f"{name}: {stored[name]!r} is not a number (glue a Python float)")
    return problems


@pytest.mark.parametrize("name", CHECKED)
def test_every_glued_value_in_the_prose_is_stored_and_formattable(name):
    """A {glue} role whose value is missing or unformattable renders as nothing."""
    nb = json.loads((CHAPTERS_DIR / name).read_text(encoding="utf-8"))
    problems = glue_problems(nb)
    assert not problems, f"{name}: {'; '.join(problems)}"


def test_a_numpy_scalar_repr_is_caught():
    nb = {
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "source": "",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {"scrapbook": {"name": "gap"}},
                        "data": {"application/papermill.record/text/plain": "np.float64(0.5)"},
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {"scrapbook": {"name": "ok"}},
                        "data": {"application/papermill.record/text/plain": "0.25"},
                    },
                ],
            },
            {
                "cell_type": "markdown",
                "source": "{glue:text}`gap:.2f`, {glue:text}`ok:.1%`, {glue:text}`gone`",
            },
        ],
    }
    problems = glue_problems(nb)
    assert len(problems) == 2 and problems[0].startswith("gap:") and problems[1].startswith("gone:")
