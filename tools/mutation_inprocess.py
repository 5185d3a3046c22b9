"""Run mutmut's mutants in ONE process, for modules whose tests import TensorFlow (issue 16).

mutmut 3 forks a worker per mutant from a process that already imported the tests; a forked
TensorFlow deadlocks, so every mutant of ``rnnbook.generate`` shows as a timeout. mutmut's
trampoline reads ``MUTANT_UNDER_TEST`` at every call, so one process can import TensorFlow
once and run the tests again per mutant (``pytest.main``), switching the variable between runs.

    tools/mutation.sh generate             # prepares $MUTATION_DIR (mutants/ and results.txt)
    python tools/mutation_inprocess.py $MUTATION_DIR --select 'gumbel|sampling_scales' \\
        --tests tests/test_generate.py --out /tmp/generate-mutants.txt

(``MUTATION_TIMEOUT=1 tools/mutation.sh generate`` is enough to prepare the folder.) Prints one
line per mutant (killed, survived, or timeout when a run exceeds ``--timeout`` seconds) and the
score. A clean run first must pass, or nothing is counted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import time
from pathlib import Path


class MutantTimeout(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path, help="the folder tools/mutation.sh prepared")
    parser.add_argument("--select", default=".", help="regular expression on mutant names")
    parser.add_argument("--tests", nargs="+", required=True, help="test files, relative to the folder")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per mutant")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-k", default="", help="pytest -k expression (leave slow tests out)")
    args = parser.parse_args()
    names = [
        m[1]
        for line in (args.workdir / "results.txt").read_text().splitlines()
        if (m := re.match(r"\s*(rnnbook\.\S+__mutmut_\d+):", line)) and re.search(args.select, m[1])
    ]
    os.chdir(args.workdir / "mutants")
    sys.path.insert(0, os.getcwd())
    import pytest

    def timed_out(signum, frame):
        raise MutantTimeout

    signal.signal(signal.SIGALRM, timed_out)
    pytest_args = ["-x", "-q", "-p", "no:cacheprovider", *(["-k", args.k] if args.k else []), *args.tests]
    log = open(args.out.with_suffix(".pytest.log"), "w")

    def run(name: str) -> str:
        os.environ["MUTANT_UNDER_TEST"] = name
        signal.alarm(args.timeout if name else 0)  # the clean run has no limit
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                code = pytest.main(pytest_args)
        except MutantTimeout:
            return "timeout"
        finally:
            signal.alarm(0)
        if code == 5:
            raise SystemExit(f"no tests collected with {pytest_args}")
        return "survived" if code == 0 else "killed"

    start = time.monotonic()
    if run("") != "survived":
        raise SystemExit(f"the tests fail without any mutant: see {args.out.with_suffix('.pytest.log')}")
    print(f"clean run passed in {time.monotonic() - start:.0f} s; {len(names)} mutants", flush=True)
    counts: dict[str, int] = {}
    with open(args.out, "w") as out:
        for name in names:
            began = time.monotonic()
            status = run(name)
            counts[status] = counts.get(status, 0) + 1
            out.write(f"    {name}: {status}\n")
            out.flush()
            print(f"{name}: {status} ({time.monotonic() - began:.1f} s)", flush=True)
    caught = counts.get("killed", 0) + counts.get("timeout", 0)
    print(f"{counts}; score {caught}/{len(names)} = {100 * caught / max(len(names), 1):.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
