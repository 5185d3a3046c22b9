"""Undecorate the ``@checker`` functions of a SCRATCH copy of ``rnnbook.checks`` (issue 16).

mutmut 3 does not mutate decorated functions, and every ``check_*`` checker is decorated with
``@checker(...)``, so the checkers' own logic (tolerances, comparisons, messages) would never
be mutated. This rewrites, in place, each top-level

    @checker("...", answer="value")
    def check_x(...):
        ...

into

    def check_x(...):
        ...
    check_x = checker("...", answer="value")(check_x)

which is the same module at run time (a decorator is that assignment), but leaves mutmut an
undecorated function to mutate. mutmut's trampoline picks the active mutant at every call, so
wrapping the trampoline once at import time still runs each mutant. Only for the scratch copy
made by tools/mutation.sh: never run it on code/rnnbook (line numbers in tracebacks change).

    python tools/undecorate_checkers.py FILE.py [FILE.py ...]

Prints one line per file: how many checkers it undecorated.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def _is_checker(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "checker"


def undecorate(source: str) -> tuple[str, int]:
    """``source`` with every top-level ``@checker`` decoration turned into an assignment."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []  # (first decorator line, def line, end line, assignment), 1-based
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or len(node.decorator_list) != 1:
            continue
        decorator = node.decorator_list[0]
        if not _is_checker(decorator):
            continue
        # The decorator's own source (possibly over several lines), joined onto one line.
        expression = ast.unparse(decorator)
        assignment = f"{node.name} = {expression}({node.name})\n"
        edits.append((decorator.lineno, node.lineno, node.end_lineno, assignment))
    for first, define, end, assignment in sorted(edits, reverse=True):
        lines[end:end] = [assignment]  # after the body
        del lines[first - 1 : define - 1]  # the "@checker(...)" lines, up to the def
    result = "".join(lines)
    ast.parse(result)  # still valid Python
    return result, len(edits)


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        if "rnnbook/checks" not in path.resolve().as_posix() or "code/rnnbook" in path.resolve().as_posix():
            print(f"{name}: refusing (only a scratch copy's rnnbook/checks/*.py)", file=sys.stderr)
            return 2
        text, count = undecorate(path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        print(f"{name}: {count} checker(s) undecorated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
