"""Settings for every test, notebooks included: the `quick` profile, headless plotting, quiet TensorFlow.

At the repository root so that `pytest chapters/NN_name.ipynb` alone also runs in `quick`
(nbval's kernels inherit this process' environment when they start).
"""

import os

os.environ.setdefault("RNNBOOK_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# A relative RNNBOOK_DATA_DIR means "relative to where I typed it": resolve it here, in the first
# process that reads it, because notebook kernels start in chapters/ (see rnnbook.data).
if os.environ.get("RNNBOOK_DATA_DIR"):
    os.environ["RNNBOOK_DATA_DIR"] = os.path.abspath(os.path.expanduser(os.environ["RNNBOOK_DATA_DIR"]))
