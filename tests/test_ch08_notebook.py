"""Chapter 8 as a page: lines that fit, the resume section, the stop-or-crash answer cell."""

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "chapters" / "08_shakespeare_generation.ipynb"
# Characters a code or output line may have before the 1400 px page scrolls sideways
# (measured by tests/test_browser.py: 748 px column at 8.43 px per character).
WIDTH = 88


def cells():
    return json.loads(NOTEBOOK.read_text())["cells"]


def visible_code_cells():
    return [
        c for c in cells() if c["cell_type"] == "code" and "remove-cell" not in c["metadata"].get("tags", [])
    ]


def test_visible_code_lines_fit_the_page():
    long = [
        line
        for cell in visible_code_cells()
        for line in "".join(cell["source"]).splitlines()
        if len(line) > WIDTH
    ]
    assert not long, f"code lines longer than {WIDTH} characters: {long}"


def test_stored_text_outputs_fit_the_page():
    long = []
    for cell in visible_code_cells():
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            long += [line for line in text.splitlines() if len(line) > WIDTH]
    assert not long, f"output lines longer than {WIDTH} characters: {long}"


def test_learning_goals_are_in_the_box_of_every_chapter():
    assert "```{admonition} Learning goals\n:class: tip" in "".join(cells()[1]["source"])


def test_stop_or_crash_has_a_graded_code_answer_inside_its_solution():
    sources = ["".join(c["source"]) for c in cells()]
    start = next(i for i, s in enumerate(sources) if s.startswith("```{solution-start} ch08-stop-or-crash"))
    end = next(i for i in range(start, len(sources)) if sources[i].startswith("```{solution-end}"))
    answers = [c for c in cells()[start:end] if "exercise" in c["metadata"].get("tags", [])]
    assert len(answers) == 1
    source = "".join(answers[0]["source"])
    assert "### BEGIN SOLUTION" in source and "### END SOLUTION" in source
    assert source.index("### END SOLUTION") < source.index("assert "), "the check follows the answer"


def test_prose_facts_the_review_corrected():
    prose = "\n".join("".join(c["source"]) for c in cells() if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in cells() if c["cell_type"] == "code")
    assert "GRU" in prose  # the TensorFlow tutorial's model is a GRU(1024)
    assert "bench_shakespeare" not in prose + code and "python -m rnnbook.bench generation" in prose
    assert "The seed of this book" not in prose
    assert "bit for bit" in prose and "assert identical" in code  # exact resume, shown
    assert "assert gap_steps < 1e-5" in code  # one-step model equals the full model
    assert "assert variety[0.2] < variety[1.5]" in code  # cold samples repeat more


def test_the_sections_of_issue_12_are_there():
    sources = ["".join(c["source"]) for c in cells()]
    prose = "\n".join(s for c, s in zip(cells(), sources, strict=True) if c["cell_type"] == "markdown")
    code = "\n".join(s for c, s in zip(cells(), sources, strict=True) if c["cell_type"] == "code")
    headings = [line for s in sources for line in s.splitlines() if line.startswith("## ")]
    for heading in (
        "## Overfitting: reading the gap",
        "## How good is this? Published figures on the same text",
        "## Stateful training, as the classic tutorial did it",
        "## What the LSTM learned",
        "## Beyond one machine",
    ):
        assert heading in headings, heading
    # the main model: dropout from the profile, a cosine decay over the whole run
    assert code.count("dropout=cfg.dropout") >= 2
    assert code.count("decay_steps=cfg.epochs * steps_per_epoch") >= 2
    # the gap is read from the run's own history, the nanoGPT figure compared by glue
    assert 'gap = np.asarray(log["val_loss"]) - np.asarray(log["loss"])' in code
    assert "1.4697" in prose and "{glue:text}`ch08_minus_nanogpt" in prose
    # stateful on Keras 3: fixed batch shape, stateful LSTM, reset per layer, stream batches
    assert "keras.Input(batch_shape=(B, T)" in code and "stateful=True" in code
    assert "stateful.ResetStates()" in code and "stateful.stream_batches(" in code
    assert "batch_input_shape" in prose and "model.reset_states()" in prose
    # units found by measurement, with the share of the state that has no simple reading
    assert "interpret.correlations(" in code and "interpret.best_units(" in code
    assert "{glue:text}`ch08_unread" in prose
    # distribution: built and compiled inside the strategy's scope, global batch
    assert "with strategy.scope():" in code and "num_replicas_in_sync" in code
    goals = sources[1]
    assert "dropout" in goals and "reset_state" in goals and "MirroredStrategy" in goals
