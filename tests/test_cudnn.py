"""The recurrent layers meant for NVIDIA's cuDNN kernel meet its conditions; those that leave it say so.

Keras 3 runs an LSTM or GRU on cuDNN only with activation tanh, recurrent_activation sigmoid,
recurrent_dropout 0, unroll False, use_bias True and, for a GRU, reset_after True
(`rnnbook.smoke.cudnn_blockers`); otherwise it silently takes a loop several times slower (or
raises, with use_cudnn=True). Checked three ways: every LSTM/GRU call in the chapters' code cells
and the package (by reading the code), the package's model builders (by building them), and every
layer the chapters build in the `gpu` profile (tests/test_gpu_profile.py, from its record).
"""

import ast
import json
from pathlib import Path

import pytest

from rnnbook import smoke

REPO = Path(__file__).resolve().parents[1]
RECURRENT = ("LSTM", "GRU")
BLOCKING_KEYWORDS = {
    "activation",
    "recurrent_activation",
    "recurrent_dropout",
    "unroll",
    "use_bias",
    "reset_after",
}
# Calls that leave cuDNN on purpose: (file, the call as ast.unparse writes it) -> why, and a phrase
# of the chapter's text (its markdown cells) that says so to the reader.
DELIBERATE = {
    (
        "chapters/09_deeper_bidirectional_attention.ipynb",
        "layers.LSTM(8, recurrent_dropout=0.25, use_cudnn=True)",
    ): (
        "shows the error use_cudnn=True raises for recurrent dropout",
        "Here is the error, from a layer with recurrent dropout",
    ),
    (
        "chapters/09_deeper_bidirectional_attention.ipynb",
        "layers.LSTM(units, return_sequences=True, **opts)",
    ): ("times recurrent dropout against input dropout", "sends the layer from NVIDIA's fused cuDNN kernel"),
    (
        "chapters/06_inside_lstm_gru.ipynb",
        "keras.layers.GRU(units, return_sequences=True, reset_after=False)",
    ): ("the original GRU formulation, checked against NumPy, never trained", "(cuDNN's form)"),
}


def code_units():
    """(file, its prose, source) of every chapter code cell and package module.

    The prose of a chapter: its markdown cells, whitespace runs read as one space."""
    for path in sorted((REPO / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        prose = " ".join(
            " ".join("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown"
        )
        for cell in cells:
            if cell["cell_type"] == "code":
                yield str(path.relative_to(REPO)), prose, "".join(cell["source"])
    for path in sorted((REPO / "code" / "rnnbook").rglob("*.py")):
        yield str(path.relative_to(REPO)), "", path.read_text()


def recurrent_calls():
    for name, prose, source in code_units():
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called in RECURRENT:
                    yield name, prose, source, node


def test_every_lstm_and_gru_call_keeps_cudnn_or_is_a_listed_exception():
    seen, offending = set(), []
    for name, prose, _source, node in recurrent_calls():
        call = ast.unparse(node)
        keywords = {k.arg for k in node.keywords}
        blocking = keywords & BLOCKING_KEYWORDS or None in keywords  # **kwargs: could hold any
        if (name, call) in DELIBERATE:
            seen.add((name, call))
            _, phrase = DELIBERATE[name, call]
            assert phrase in prose, f"{name}: {call} leaves cuDNN without the chapter saying so"
        elif blocking:
            offending.append(f"{name}: {call}")
        else:
            assert all(
                not (k.arg == "use_cudnn" and isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in node.keywords
            ), f"{name}: {call}"
    assert not offending, f"calls whose settings may keep them off cuDNN: {offending}"
    assert seen == set(DELIBERATE), f"listed exceptions not found: {set(DELIBERATE) - seen}"


def test_chapter_9_timing_leaves_cudnn_only_with_recurrent_dropout():
    """The **opts call: only its recurrent-dropout setting leaves cuDNN, and the cell says so."""
    (source,) = [
        s for name, _, s in code_units() if name.startswith("chapters/09_") and "dropout_settings = {" in s
    ]
    tree = ast.parse(source)
    (settings,) = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "dropout_settings"
    ]
    options = {
        ast.literal_eval(label): {
            ast.literal_eval(k): ast.unparse(v) for k, v in zip(d.keys, d.values, strict=True)
        }
        for label, d in zip(settings.keys, settings.values, strict=True)
    }
    for label, opts in options.items():
        if "recurrent_dropout" in opts:
            assert "use_cudnn" not in opts, label  # use_cudnn=True would raise on a GPU
        else:
            assert opts.get("use_cudnn") == "CUDNN", label  # True on a GPU: must take cuDNN
    assert sum("recurrent_dropout" in opts for opts in options.values()) == 1
    assert "leaves it" in source and "cuDNN" in source


def recurrent_layers(model):
    import keras

    return [
        layer for layer in model._flatten_layers(include_self=False) if isinstance(layer, keras.layers.RNN)
    ]


@pytest.mark.parametrize("gpu", [False, True])
def test_package_builders_build_layers_that_take_cudnn(gpu, monkeypatch):
    from rnnbook import charmodels, profiles, seq2seq, shakespeare

    monkeypatch.setattr(profiles, "gpu_available", lambda: gpu)
    models = {
        "shakespeare": shakespeare.build_model(65, 16, 32),
        **{
            f"char {kind}": charmodels.build_char_model(
                kind, 65, 32, embedding_dim=8 if kind == "embedding" else None
            )
            for kind in charmodels.INPUT_KINDS
        },  # fmt: skip
        "char GRU": charmodels.build_char_model("embedding", 65, 32, cell="GRU", embedding_dim=8),
        "seq2seq": seq2seq.build_seq2seq(20, 14, 8, 16)[0],
    }
    for name, model in models.items():
        layers = recurrent_layers(model)
        assert layers, name
        for layer in layers:
            assert smoke.cudnn_blockers(smoke.recurrent_settings(layer)) == [], (name, layer.name)
        if gpu and not name.startswith("seq2seq"):  # these insist on cuDNN on a GPU
            assert all(layer.use_cudnn is True for layer in layers), name


def test_cudnn_blockers_name_each_setting_that_rules_cudnn_out():
    import keras

    assert smoke.cudnn_blockers(smoke.recurrent_settings(keras.layers.LSTM(4))) == []
    assert smoke.cudnn_blockers(smoke.recurrent_settings(keras.layers.GRU(4))) == []
    cases = {
        "activation='relu'": keras.layers.LSTM(4, activation="relu"),
        "recurrent_activation='hard_sigmoid'": keras.layers.GRU(4, recurrent_activation="hard_sigmoid"),
        "recurrent_dropout=0.1": keras.layers.LSTM(4, recurrent_dropout=0.1),
        "unroll=True": keras.layers.LSTM(4, unroll=True),
        "use_bias=False": keras.layers.GRU(4, use_bias=False),
        "reset_after=False": keras.layers.GRU(4, reset_after=False),
        "use_cudnn=False": keras.layers.LSTM(4, use_cudnn=False),
    }
    for expected, layer in cases.items():
        assert smoke.cudnn_blockers(smoke.recurrent_settings(layer)) == [expected]
