"""Settings for every test, notebooks included: the `quick` profile, headless plotting, quiet TensorFlow.

At the repository root so that `pytest chapters/NN_name.ipynb` alone also runs in `quick`
(nbval's kernels inherit this process' environment when they start).
"""

import os

os.environ.setdefault("RNNBOOK_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
