#!/usr/bin/env bash
# Every chapter, in the `quick` profile, on the oldest stack the book supports (.ci/oldest-stack.txt).
#
# Colab preinstalls TensorFlow, Keras and NumPy, then each chapter's setup cell runs
# `pip install git+REPO@COMMIT#subdirectory=code`. This script does the same in a second
# environment (.venv-oldest): the pinned stack first, then the helper from this checkout's
# commit with that very command, and fails if that install changed any installed package. Then
# it adds what runs notebooks (the versions requirements.txt pins, constrained to the stack),
# prints the versions a notebook kernel sees, and runs the chapters under nbval.
#
#   bash .ci/oldest_stack.sh        # about 2 GB of downloads on a first run; .ci/run calls it
#
# RNNBOOK_DATA_DIR: a folder holding the corpora (default: ../shared/data beside the clone).
# OLDEST_VENV: where to build the environment (default: .venv-oldest, rebuilt on every run).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

pins=.ci/oldest-stack.txt
venv=${OLDEST_VENV:-.venv-oldest}
export RNNBOOK_DATA_DIR="${RNNBOOK_DATA_DIR:-$(cd .. && pwd)/shared/data}"
export RNNBOOK_PROFILE=quick
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv --clear "$venv"
echo '*' >"$venv/.gitignore" # git, and so ruff, leave the environment alone
pip=("$venv/bin/python" -m pip --disable-pip-version-check)

echo "== the oldest stack ($pins)"
"${pip[@]}" install --quiet -r "$pins"
"${pip[@]}" freeze --all | sort >"$work/stack"

echo "== the helper, as the Colab setup cell installs it"
commit=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain -- code)" ]; then
  echo "note: code/ has uncommitted changes; like Colab, this installs commit $commit" >&2
fi
GIT_TERMINAL_PROMPT=0 "${pip[@]}" install -q "git+file://$PWD@$commit#subdirectory=code"
"${pip[@]}" freeze --all | grep -v '^rnnbook' | sort >"$work/with_helper"
if ! diff "$work/stack" "$work/with_helper"; then
  echo "FAIL: installing the helper changed the preinstalled packages above (Colab's would change too)" >&2
  exit 1
fi

echo "== what runs notebooks (requirements.txt's pins, constrained to the stack)"
grep -E '^(nbclient|ipykernel|nbval|pytest)==' requirements.txt | sed 's/ *#.*//' >"$work/harness"
"${pip[@]}" install --quiet -c "$pins" -r "$work/harness"
"${pip[@]}" check

echo "== the versions a notebook kernel sees"
"$venv/bin/python" - "$pins" <<'EOF'
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

pins = dict(
    line.split("#")[0].strip().split("==")
    for line in Path(sys.argv[1]).read_text().splitlines()
    if "==" in line.split("#")[0]
)
code = f"""
import sys
from importlib.metadata import version
import rnnbook
from rnnbook import keras_setup
keras_setup.load(seed=None)  # Keras and TensorFlow, imported quietly as the chapters do
print("Python", sys.version.split()[0])
for name in {sorted(pins)!r}:
    print(name, version(name))
print("rnnbook", version("rnnbook"), "from", rnnbook.__file__)
"""
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
with tempfile.TemporaryDirectory() as sockets:  # IPC: no warning about unencrypted TCP
    config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})
    client = NotebookClient(nb, timeout=300, resources={"metadata": {"path": "chapters"}}, config=config)
    client.execute(env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
lines = "".join(out.get("text", "") for out in nb.cells[0].outputs if out.get("name") == "stdout")
print(lines, end="")
seen = dict(line.split(" ", 1) for line in lines.splitlines())
wrong = {name: seen.get(name) for name, pin in pins.items() if seen.get(name) != pin}
if wrong:
    sys.exit(f"FAIL: the kernel does not run the pinned stack: {wrong} (pinned: {pins})")
if "site-packages" not in seen["rnnbook"]:
    sys.exit(f"FAIL: the kernel imports rnnbook from {seen['rnnbook']}, not the installed package")
EOF

echo "== every chapter, quick profile, under nbval"
"$venv/bin/python" -m pytest chapters/
echo "oldest stack: $(grep -E '^[a-z]' "$pins" | tr '\n' ' ')proved in $((SECONDS - started)) s"
