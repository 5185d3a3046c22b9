"""A smoke run of the ``gpu`` profile on a CPU: every model at full size, a couple of steps each.

Maintainers only; no chapter imports this module. ``tests/test_gpu_profile.py`` runs each Keras
chapter whose ``gpu`` sizes differ from its ``cpu`` ones under ``RNNBOOK_PROFILE=gpu``, with
:func:`install` called in a cell put before the chapter's first one. :func:`install` then

* caps the *counts* of the ``gpu`` profile (epochs, timing rounds, seeds, characters sampled)
  and the *amounts of data* it reads (characters of a text, examples, dates; the keys in
  :data:`CAPS`) while every model, layer, batch and sequence size stays at its ``gpu`` value, so
  that a shape, size or memory mistake in the ``gpu`` profile still shows;
* caps every ``keras.Model.fit`` at :data:`MAX_STEPS` batches per epoch, and its validation and
  every ``evaluate`` at :data:`EVAL_STEPS` batches: a ``tf.data`` pipeline by ``take`` (so each
  epoch starts afresh, as a full one does, and chapter 8's exact resume still holds), arrays and
  ``PyDataset`` by ``steps_per_epoch``, ``validation_steps`` and ``steps``. ``predict`` and
  direct calls are not capped (a chapter compares their outputs with its arrays): the data caps
  keep them small;
* records, in the JSON-lines file named by ``$RNNBOOK_SMOKE_RECORD``, the sizes the chapter
  read, every recurrent layer built (its cuDNN-relevant settings), every ``fit`` (the model's
  parameters, its recurrent units, embedding widths and input shapes), and every ``assert``
  statement of the chapter's cells that failed;
* turns each ``assert`` statement of the chapter's own cells into a recorded check that does not
  stop the run (an IPython AST transformer): a couple of steps cannot pass the chapters'
  learning-quality checks ("beats the baseline"), and the test decides which failures are
  allowed (the quality checks it lists) and which are not (any other). Every other exception
  still stops the run and fails the test.

Nothing here changes a chapter's code or its stored outputs.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import time
from types import SimpleNamespace

RECORD_ENV = "RNNBOOK_SMOKE_RECORD"
MAX_STEPS = 2  # batches per epoch in fit
# batches per validation in fit and per evaluate: one shows the loss and metrics are computed
EVAL_STEPS = 1

# chapter -> gpu-profile key -> the capped value. Two kinds of key are capped, both listed in
# COUNT_KEYS and DATA_KEYS: counts of repetitions (how long and how often something runs) and
# amounts of data (how many characters, examples or dates a chapter reads: the loops a chapter runs
# over its data outside fit, such as a per-position loss over a whole validation text or a beam
# search over every test date, cost in proportion). No size of a model, a layer, an embedding, a
# batch, a sequence or a vocabulary is capped (each chapter takes its vocabulary from the whole
# corpus, or its text is left whole where it does not).
CAPS: dict[str, dict[str, object]] = {
    "ch05": {"sum_epochs": 1, "add_epochs": 1},
    "ch06": {"epochs": 1},
    "ch07": {
        "demo_epochs": 2,
        "epochs": 1,
        "steps_per_epoch": MAX_STEPS,
        "sample_chars": 20,
        "timing_rounds": 1,  # the median of one timed step
        "seeds": 2,
        "text_chars": 160_000,  # of 1.1 million; the vocabulary is the whole corpus's
    },
    "ch08": {
        "epochs": 2,
        "interrupt_after": 1,
        "sample_chars": 20,
        "speed_chars": 5,
        "precision_steps": 1,
        "naive_chars": 3,
        "resume_demo_epochs": 2,
        "dropout_demo_epochs": 2,
        "stateful_epochs": 1,
        "distribute_steps": MAX_STEPS,
        # characters whose hidden states the chapter reads and correlates (30,000 in the gpu
        # profile); 400 is above the 320 it shows
        "interpret_chars": 400,
        "text_chars": 200_000,  # of 1.1 million; the vocabulary is the whole corpus's
    },
    "ch09": {
        "epochs": 1,
        "timing_steps": 1,
        "timing_rounds": 2,  # the first round is dropped as tracing
        "peek_epochs": 1,
        "tag_epochs": 1,
        "add_epochs": 1,
        "seeds": 2,
        "text_chars": 160_000,  # of 1.1 million; the vocabulary is the whole corpus's
        "tag_train": 512,
        "tag_test": 256,
        "add_train": 512,
        "add_test": 256,
    },
    "ch10": {
        "ts_epochs": 1,
        "sent_epochs": 1,
        "pretrain_epochs": 1,
        "finetune_epochs": 1,
        "sample_chars": 20,
        "seeds": 2,
        "ts_origins": 10,
        "sent_train": 512,
        "sent_test": 256,
    },
    "ch11": {"epochs": 1, "n_dates": 3_000},
}

# The gpu-profile keys CAPS may cap. Counts of repetitions:
COUNT_KEYS = frozenset({
    "epochs", "demo_epochs", "sum_epochs", "add_epochs", "tag_epochs", "peek_epochs",
    "ts_epochs", "sent_epochs", "pretrain_epochs", "finetune_epochs", "resume_demo_epochs",
    "dropout_demo_epochs", "stateful_epochs", "steps_per_epoch", "timing_steps",
    "distribute_steps", "timing_rounds", "seeds", "interrupt_after", "sample_chars",
    "speed_chars", "naive_chars", "ts_origins", "precision_steps",
})  # fmt: skip
# Amounts of data read (characters of a text, examples, dates); None in a profile: the whole text.
DATA_KEYS = frozenset({
    "text_chars", "resume_demo_chars", "dropout_demo_chars", "dropout_demo_val_chars",
    "interpret_chars", "tag_train", "tag_test", "add_train", "add_test", "sent_train",
    "sent_test", "n_dates",
})  # fmt: skip


RECURRENT_SETTINGS = (
    "units",
    "activation",
    "recurrent_activation",
    "recurrent_dropout",
    "dropout",
    "unroll",
    "use_bias",
    "reset_after",
    "use_cudnn",
    "return_sequences",
    "go_backwards",
)


def capped_sizes(chapter: str) -> dict:
    """The ``gpu`` sizes of ``chapter`` with its :data:`CAPS` applied (a new dict).

    ValueError for an unknown chapter or a cap of a key the gpu profile lacks.
    """
    from rnnbook import profiles

    if chapter not in profiles.SIZES:
        raise ValueError(f"unknown chapter {chapter!r}; known: {', '.join(sorted(profiles.SIZES))}")
    gpu = dict(profiles.SIZES[chapter]["gpu"])
    caps = CAPS.get(chapter, {})
    unknown = sorted(set(caps) - set(gpu))
    if unknown:
        raise ValueError(f"CAPS[{chapter!r}] names keys the gpu profile lacks: {unknown}")
    return {**gpu, **caps}


def _record(event: str, **fields) -> None:
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event": event, **fields}, default=repr) + "\n")


def _shape(value):
    """A JSON-able description of the shape(s) of fit's ``x``: arrays, datasets, PyDatasets."""
    if value is None:
        return None
    if hasattr(value, "element_spec"):  # tf.data.Dataset
        spec = value.element_spec
        first = spec[0] if isinstance(spec, tuple) else spec
        return _shape(first)
    if hasattr(value, "shape"):
        return [None if d is None else int(d) for d in value.shape]
    if isinstance(value, list | tuple):
        return [_shape(v) for v in value]
    if hasattr(value, "__getitem__") and hasattr(value, "__len__"):  # keras.utils.PyDataset
        batch = value[0]
        return _shape(batch[0] if isinstance(batch, tuple) else batch)
    return repr(type(value))


def _is_dataset(value) -> bool:
    return hasattr(value, "element_spec") and hasattr(value, "take")


def _with_x(args: tuple, kwargs: dict, x) -> tuple[tuple, dict]:
    """fit's or evaluate's arguments with ``x`` in place of the one given."""
    if args:
        return (x, *args[1:]), kwargs
    return args, {**kwargs, "x": x}


def _recurrent_layers(model):
    """(layer, inner RNN layer) pairs of a model, unwrapping Bidirectional, nested models too."""
    import keras

    found = []
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.RNN):
            found.append(layer)
    return found


def recurrent_settings(layer) -> dict:
    """A recurrent layer's settings that decide the cuDNN kernel, with its class and name.

    Read from ``get_config()``, plus ``use_cudnn``, which Keras keeps as an attribute and does
    not put in the config.
    """
    config = layer.get_config()
    settings = {key: config[key] for key in RECURRENT_SETTINGS if key in config}
    if hasattr(layer, "use_cudnn"):
        settings["use_cudnn"] = layer.use_cudnn
    settings["class"] = type(layer).__name__
    settings["name"] = layer.name
    return settings


class _SoftAsserts(ast.NodeTransformer):
    """``assert test, msg`` -> ``if not test: rnnbook.smoke.failed_assert("test", msg)``."""

    def visit_Assert(self, node):
        self.generic_visit(node)
        call = ast.Call(
            func=ast.Attribute(
                value=ast.Call(
                    func=ast.Name(id="__import__", ctx=ast.Load()),
                    args=[ast.Constant("rnnbook.smoke")],
                    keywords=[ast.keyword(arg="fromlist", value=ast.Constant(("failed_assert",)))],
                ),
                attr="failed_assert",
                ctx=ast.Load(),
            ),
            args=[ast.Constant(ast.unparse(node.test)), node.msg or ast.Constant(None)],
            keywords=[],
        )
        replacement = ast.If(
            test=ast.UnaryOp(op=ast.Not(), operand=node.test),
            body=[ast.Expr(value=call)],
            orelse=[],
        )
        return ast.copy_location(replacement, node)


def failed_assert(test: str, message=None) -> None:
    """Record an ``assert`` of a chapter cell that failed (called by the rewritten assert)."""
    _record("assert", test=test, message=None if message is None else str(message))
    print(f"[smoke] assert failed (recorded, run goes on): {test}")


def install(chapter: str) -> None:
    """Apply the caps and the recording described in the module docstring, in this kernel.

    ``chapter`` is the chapter key of :data:`rnnbook.profiles.SIZES` (``"ch08"``); only its
    ``gpu`` sizes are capped. ValueError when the profile in force is not ``gpu``.
    """
    import keras
    from IPython import get_ipython

    from rnnbook import profiles

    if profiles.current() != "gpu":
        raise ValueError(f"the smoke run is for RNNBOOK_PROFILE=gpu, not {profiles.current()!r}")
    original_sizes = profiles.sizes

    def sizes(name: str, profile: str | None = None) -> SimpleNamespace:
        if (profile or profiles.current()) != "gpu":
            return original_sizes(name, profile)
        values = capped_sizes(name)
        _record("sizes", chapter=name, sizes=values)
        return SimpleNamespace(profile="gpu", **values)

    profiles.sizes = sizes

    original_fit, original_evaluate = keras.Model.fit, keras.Model.evaluate

    def fit(self, *args, **kwargs):
        x = args[0] if args else kwargs.get("x")
        if _is_dataset(x):
            # a tf.data pipeline: each epoch takes its first batches afresh, as a full epoch
            # starts afresh (steps_per_epoch would carry one iterator over epochs instead, and an
            # exactly resumed run would then see other batches than an uninterrupted one)
            x = x.take(min(kwargs.get("steps_per_epoch") or MAX_STEPS, MAX_STEPS))
            args, kwargs = _with_x(args, kwargs, x)
            kwargs["steps_per_epoch"] = None
        else:
            kwargs["steps_per_epoch"] = min(kwargs.get("steps_per_epoch") or MAX_STEPS, MAX_STEPS)
        if _is_dataset(kwargs.get("validation_data")):
            kwargs["validation_data"] = kwargs["validation_data"].take(EVAL_STEPS)
        elif kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            kwargs["validation_steps"] = min(kwargs.get("validation_steps") or EVAL_STEPS, EVAL_STEPS)
        history = original_fit(self, *args, **kwargs)
        _record(
            "fit",
            model=self.name,
            params=int(self.count_params()),
            recurrent=[recurrent_settings(layer) for layer in _recurrent_layers(self)],
            embeddings=[
                int(layer.output_dim)
                for layer in self._flatten_layers(include_self=False)
                if isinstance(layer, keras.layers.Embedding)
            ],
            x_shape=_shape(x),
            batch_size=kwargs.get("batch_size"),
            epochs=kwargs.get("epochs", 1),
            steps_per_epoch=kwargs["steps_per_epoch"] or MAX_STEPS,
        )
        return history

    def evaluate(self, *args, **kwargs):
        x = args[0] if args else kwargs.get("x")
        if _is_dataset(x):
            args, kwargs = _with_x(args, kwargs, x.take(EVAL_STEPS))
            kwargs.pop("steps", None)
        else:
            kwargs["steps"] = min(kwargs.get("steps") or EVAL_STEPS, EVAL_STEPS)
        return original_evaluate(self, *args, **kwargs)

    keras.Model.fit, keras.Model.evaluate = fit, evaluate

    original_build = keras.layers.RNN.build

    @functools.wraps(original_build)  # Keras reads build's argument names
    def build(self, *args, **kwargs):
        _record("recurrent_build", **recurrent_settings(self))
        return original_build(self, *args, **kwargs)

    keras.layers.RNN.build = build

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("install() rewrites the asserts of notebook cells: run it in a kernel")
    shell.ast_transformers.append(_SoftAsserts())
    _STARTED[0] = time.perf_counter()
    _record("installed", chapter=chapter, max_steps=MAX_STEPS, caps=CAPS.get(chapter, {}))


def finish() -> None:
    """Record the kernel's time since :func:`install`: wall clock and CPU (user + system) seconds.

    The CPU time is the work done; on a shared machine the wall clock also counts waiting.
    """
    times = os.times()
    _record(
        "finished",
        wall_s=round(time.perf_counter() - _STARTED[0], 1),
        cpu_s=round(times.user + times.system + times.children_user + times.children_system, 1),
    )


_STARTED = [time.perf_counter()]


def cudnn_blockers(settings: dict) -> list[str]:
    """The settings of an LSTM or GRU layer that keep it off NVIDIA's cuDNN kernel (Keras 3).

    ``settings``: a layer's ``get_config()`` (or the subset :func:`recurrent_settings` records).
    The conditions are those of the Keras LSTM and GRU docstrings (and
    ``keras.src.backend.tensorflow.rnn.cudnn_ok``): ``activation == tanh``,
    ``recurrent_activation == sigmoid``, ``recurrent_dropout == 0``, ``unroll`` False,
    ``use_bias`` True, for a GRU also ``reset_after`` True; and ``use_cudnn`` not False. (A mask
    must also be right-padded, which only the data can show.) Returns ``[]`` when none blocks it.
    """
    blockers = []
    wanted = {"activation": "tanh", "recurrent_activation": "sigmoid", "unroll": False, "use_bias": True}
    if settings.get("class") == "GRU" or "reset_after" in settings:
        wanted["reset_after"] = True
    for key, value in wanted.items():
        if settings.get(key, value) != value:
            blockers.append(f"{key}={settings[key]!r}")
    if settings.get("recurrent_dropout", 0):
        blockers.append(f"recurrent_dropout={settings['recurrent_dropout']!r}")
    if settings.get("use_cudnn", "auto") is False:
        blockers.append("use_cudnn=False")
    return blockers


def read_record(path) -> list[dict]:
    """The events of a smoke run's record file, in order."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
