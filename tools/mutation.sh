#!/usr/bin/env bash
# Mutation testing (issue 16) of the modules where a silent bug would teach something wrong.
# Scores, equivalent mutants and commands: tools/MUTATION.md.
#
#   tools/mutation.sh [MODULE ...]        (default: numpy_rnn gradcheck vocab)
#   tools/mutation.sh data                (one module per run is faster)
#
# Modules: numpy_rnn, gradcheck, vocab, gates, checkpoints, execute, data, student (copies the
# committed chapters and student edition), checks (the package; or checks/__init__,
# checks/chNN one file at a time, with tests/test_checks_base.py and tests/test_chNN.py).
# generate (and checks/ch05, checks/ch08, whose tests import Keras): mutmut forks a worker per
# mutant and a forked TensorFlow deadlocks, so prepare the folder here and run the mutants with
# tools/mutation_inprocess.py (tools/MUTATION.md has the recipe for checks/ch08).
# checks/chNN: the @checker-decorated check_* functions are undecorated in the scratch copy by
# tools/undecorate_checkers.py ("check_x = checker(...)(check_x)" after the body), because mutmut 3
# skips decorated functions; so the checkers' bodies (tolerances, hidden cases, messages) are mutated.
# Times on 2 shared cores: numpy_rnn+gradcheck+vocab ~15-25 min, data ~10 min (218 mutants),
# student ~6 min (619), checks/__init__+ch02+ch04 ~2 min (165), checks/chNN with bodies 1-3 min
# each (134-464), gates ~10 min, execute and checkpoints past the 10-min cap (their tests start
# kernels or train; MUTATION_SELECT).
#
# mutmut 3 (pip install "mutmut==3.*") needs the package at the top of its project, so the
# package and the fast unit tests are copied to a scratch folder ($MUTATION_DIR, default
# /tmp/rnnbook-mutation) and mutated there; the repository is never touched. Prints, per
# module, the mutants killed, survived, timed out and not covered, and the score
# killed / (all - not covered). `mutmut show NAME` (run in $MUTATION_DIR) shows a surviving
# mutant's diff; `mutmut run NAME ...` there re-runs chosen mutants (after copying changed tests
# into $MUTATION_DIR/tests and $MUTATION_DIR/mutants/tests). mutmut 3 does not mutate decorated
# functions; for checks/* the @checker decoration is undone in the scratch copy (above).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
MUTMUT=${MUTMUT:-$(dirname "$PY")/mutmut}
WORK=${MUTATION_DIR:-/tmp/rnnbook-mutation}
MODULES=("${@:-numpy_rnn gradcheck vocab}")
read -r -a MODULES <<< "${MODULES[*]}"
TESTS=(test_numpy_rnn.py test_vocab.py test_bad_inputs.py test_mutation_kills.py)
EXTRA=() IGNORE=()
# Modules with their own unit tests bring them along (gates -> tests/test_gates.py, ...); the
# checks package brings its base tests and every chapter's checker tests (checks/ch03 -> test_ch03.py).
for module in "${MODULES[@]}"; do
  case $module in
    checks) TESTS+=(test_checks_base.py test_ch{01,02,03,04,05,06,07,08,09,10,11}.py) ;;
    checks/__init__) TESTS+=(test_checks_base.py) ;;
    checks/ch*) TESTS+=(test_checks_base.py "test_${module#checks/}.py") ;;
    # student's tests read the chapters and the committed edition, and take REPO from test_book.py
    # (copied, not collected).
    student) TESTS+=(test_student.py test_book.py) EXTRA+=(chapters student_edition _toc.yml _config.yml instructors.md) IGNORE+=(test_book.py) ;;
    *) TESTS+=("test_$module.py") ;;
  esac
done

# MUTATION_SELECT: a pytest -k expression to leave slow tests out (their mutants then show as
# "no tests" if nothing else covers them), e.g. MUTATION_SELECT="not backup and not train".
select=""
[ -n "${MUTATION_SELECT:-}" ] && select=$(printf ', "-k", "%s"' "${MUTATION_SELECT//\"/\\\"}")
rm -rf "$WORK" && mkdir -p "$WORK/tests"
cp -r "$REPO/code/rnnbook" "$WORK/" && find "$WORK" -name __pycache__ -prune -exec rm -rf {} +
cp "$REPO/conftest.py" "$WORK/"
# mutmut 3 skips decorated functions: in the scratch copy only, "@checker(...) def check_x" becomes
# "def check_x ...; check_x = checker(...)(check_x)", so the checkers' bodies are mutated too.
for module in "${MODULES[@]}"; do
  case $module in
    checks) "$PY" "$REPO/tools/undecorate_checkers.py" "$WORK"/rnnbook/checks/ch*.py ;;
    checks/ch*) "$PY" "$REPO/tools/undecorate_checkers.py" "$WORK/rnnbook/$module.py" ;;
  esac
done
cp "$REPO/tests/__init__.py" "$REPO/tests/conftest.py" "$WORK/tests/"
for test in "${TESTS[@]}"; do [ -f "$REPO/tests/$test" ] && cp "$REPO/tests/$test" "$WORK/tests/"; done
copy=""
# The chapters as committed (HEAD), not someone's half-edited working copy.
for extra in "${EXTRA[@]}"; do git -C "$REPO" archive HEAD "$extra" | tar -x -C "$WORK" && copy+=", \"$extra\""; done
for test in "${IGNORE[@]}"; do select+=", \"--ignore=tests/$test\""; done
paths=""
for module in "${MODULES[@]}"; do  # a package (checks) is mutated whole, a file (checks/ch01) alone
  if [ -d "$REPO/code/rnnbook/$module" ]; then paths+="\"rnnbook/$module/\", "; else paths+="\"rnnbook/$module.py\", "; fi
done
cat > "$WORK/pyproject.toml" <<TOML
[tool.mutmut]
paths_to_mutate = [${paths%, }]
tests_dir = ["tests/"]
also_copy = ["rnnbook", "conftest.py", "tests"$copy]
pytest_add_cli_args = ["-q", "-p", "no:cacheprovider"$select]
TOML
cd "$WORK"
# Cap the run (default 10 min, MUTATION_TIMEOUT in seconds); unfinished mutants show as not checked.
timeout "${MUTATION_TIMEOUT:-600}" "$MUTMUT" run --max-children "${JOBS:-2}" > mutmut.log 2>&1 || true
"$MUTMUT" results --all true > results.txt 2>/dev/null || true
"$PY" - <<'PY'
import collections, re
counts = collections.defaultdict(collections.Counter)
for line in open("results.txt"):
    match = re.match(r"\s*rnnbook\.([\w.]+?)\.x[_\u01c1]\S*: (.+)$", line)
    if match:
        counts[match.group(1)][match.group(2).strip()] += 1
print(f"{'module':<16}{'killed':>8}{'survived':>10}{'timeout':>9}{'no tests':>10}{'unrun':>7}{'score':>8}")
for module, c in sorted(counts.items()):
    covered = sum(c.values()) - c["no tests"] - c["not checked"]  # unrun: the time cap ran out
    killed = c["killed"] + c["timeout"]  # a mutant that hangs the tests is caught too
    score = f"{100 * killed / covered:.0f}%" if covered else "-"
    print(
        f"{module:<16}{c['killed']:>8}{c['survived']:>10}{c['timeout']:>9}{c['no tests']:>10}"
        f"{c['not checked']:>7}{score:>8}"
    )
PY
