"""rnnbook.checkpoints: names with epoch and val_loss, found by parsing, checked before loading."""

import numpy as np
import pytest

from rnnbook import checkpoints, shakespeare


def touch(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")


def test_parse_name():
    found = checkpoints.parse_name("runs/epoch012-val_loss1.4321.weights.h5")
    assert (found.epoch, found.val_loss) == (12, 1.4321)
    assert checkpoints.parse_name("latest.weights.h5") is None
    assert checkpoints.parse_name("epoch012-val_loss1.4321.h5") is None


def test_latest_is_the_highest_epoch_and_best_the_lowest_val_loss(tmp_path):
    touch(
        tmp_path,
        "epoch001-val_loss2.0000.weights.h5",
        "epoch010-val_loss1.6000.weights.h5",
        "epoch002-val_loss1.5000.weights.h5",
        "epoch009-val_loss1.7000.weights.h5",
        "notes.txt",
    )
    assert checkpoints.latest_checkpoint(tmp_path).epoch == 10  # 10 > 9 > 2, not string order
    best = checkpoints.best_checkpoint(tmp_path)
    assert (best.epoch, best.val_loss) == (2, 1.5)
    assert best.path == tmp_path / "epoch002-val_loss1.5000.weights.h5"
    assert [c.epoch for c in checkpoints.list_checkpoints(tmp_path)] == [1, 2, 9, 10]


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="empty folder"):
        checkpoints.latest_checkpoint(tmp_path)
    touch(tmp_path, "model.keras")
    with pytest.raises(FileNotFoundError, match=r"expected files named like 'epoch001-val_loss1.2345"):
        checkpoints.best_checkpoint(tmp_path)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        checkpoints.list_checkpoints(tmp_path / "nowhere")


def tiny_model(units=8):
    return shakespeare.compile_model(shakespeare.build_model(13, 4, units), learning_rate=0.01)


def test_callback_writes_one_parsable_file_per_epoch_and_they_reload(tmp_path):
    model = tiny_model()
    ids = np.random.default_rng(0).integers(0, 13, size=(16, 11)).astype(np.int32)
    history = model.fit(
        ids[:, :-1],
        ids[:, 1:],
        validation_data=(ids[:, :-1], ids[:, 1:]),
        epochs=3,
        verbose=0,
        callbacks=[checkpoints.checkpoint_callback(tmp_path)],
    )
    found = checkpoints.list_checkpoints(tmp_path)
    assert [c.epoch for c in found] == [1, 2, 3]
    np.testing.assert_allclose([c.val_loss for c in found], history.history["val_loss"], atol=1e-4)
    fresh = shakespeare.build_model(13, 4, 8)
    checkpoints.load_weights(fresh, checkpoints.latest_checkpoint(tmp_path).path)
    np.testing.assert_allclose(fresh(ids), model(ids), atol=1e-6)


def test_a_file_from_a_model_of_another_size_names_the_shapes(tmp_path):
    path = tmp_path / "epoch001-val_loss1.0000.weights.h5"
    tiny_model(units=8).save_weights(path)
    with pytest.raises(
        ValueError,
        match=r"another size.*expects weights of shapes .*\(16, 64\).*"
        r"the file holds .*\(8, 32\)",
    ):
        checkpoints.load_weights(shakespeare.build_model(13, 4, 16), path)


def test_load_weights_rejects_other_files(tmp_path):
    model = shakespeare.build_model(13, 4, 8)
    with pytest.raises(ValueError, match="ending in .weights.h5"):
        checkpoints.load_weights(model, tmp_path / "model.keras")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        checkpoints.load_weights(model, tmp_path / "epoch001-val_loss1.0000.weights.h5")
