"""rnnbook.checkpoints: names with epoch and val_loss, found by parsing, checked before loading."""

import re

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
    found = checkpoints.parse_name("epoch1000-val_accuracy-0.5000.weights.h5")
    assert (found.epoch, found.monitor, found.value) == (1000, "val_accuracy", -0.5)
    assert np.isnan(checkpoints.parse_name("epoch003-val_lossnan.weights.h5").value)
    assert checkpoints.parse_name("epoch003-lossinf.weights.h5").value == np.inf
    with pytest.raises(ValueError, match="named by 'loss', not by 'val_loss'"):
        _ = checkpoints.parse_name("epoch003-loss1.0000.weights.h5").val_loss
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
        match=r"another size:\n  the model 'char_lstm16' needs weights of shapes\n    \[.*\(16, 64\).*\]\n"
        r"  the file has\n    \[.*\(8, 32\).*\]\n",
    ):
        checkpoints.load_weights(shakespeare.build_model(13, 4, 16), path)


def test_load_weights_rejects_other_files(tmp_path):
    model = shakespeare.build_model(13, 4, 8)
    with pytest.raises(ValueError, match="ending in .weights.h5"):
        checkpoints.load_weights(model, tmp_path / "model.keras")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        checkpoints.load_weights(model, tmp_path / "epoch001-val_loss1.0000.weights.h5")


def test_a_non_finite_loss_is_never_best(tmp_path):
    touch(
        tmp_path,
        "epoch001-val_loss2.0000.weights.h5",
        "epoch002-val_lossnan.weights.h5",
        "epoch003-val_loss-inf.weights.h5",
        "epoch004-val_lossinf.weights.h5",
    )
    assert checkpoints.best_checkpoint(tmp_path).epoch == 1
    assert checkpoints.latest_checkpoint(tmp_path).epoch == 4


def test_only_non_finite_losses_is_a_clear_error(tmp_path):
    touch(tmp_path, "epoch001-val_lossnan.weights.h5", "epoch002-val_lossinf.weights.h5")
    with pytest.raises(ValueError, match="no checkpoint .* has a finite val_loss"):
        checkpoints.best_checkpoint(tmp_path)


def test_a_tie_goes_to_the_later_epoch(tmp_path):
    touch(
        tmp_path,
        "epoch002-val_loss1.5000.weights.h5",
        "epoch007-val_loss1.5000.weights.h5",
        "epoch009-val_loss1.6000.weights.h5",
    )
    assert checkpoints.best_checkpoint(tmp_path).epoch == 7


def test_epochs_past_999_sort_by_number(tmp_path):
    touch(
        tmp_path,
        "epoch999-val_loss1.0000.weights.h5",
        "epoch1000-val_loss1.1000.weights.h5",
        "epoch1001-val_loss0.9000.weights.h5",
        "epoch100-val_loss2.0000.weights.h5",
    )
    assert [c.epoch for c in checkpoints.list_checkpoints(tmp_path)] == [100, 999, 1000, 1001]
    assert checkpoints.latest_checkpoint(tmp_path).epoch == 1001
    assert checkpoints.best_checkpoint(tmp_path).epoch == 1001
    assert checkpoints.file_template().format(epoch=1000, val_loss=1.0) == (
        "epoch1000-val_loss1.0000.weights.h5"
    )


def test_an_epoch_saved_twice_counts_once_the_newer_file(tmp_path):
    import os

    touch(tmp_path, "epoch002-val_loss1.0000.weights.h5", "epoch002-val_loss1.2000.weights.h5")
    os.utime(tmp_path / "epoch002-val_loss1.0000.weights.h5", ns=(1, 1))  # the older attempt
    found = checkpoints.list_checkpoints(tmp_path)
    assert [(c.epoch, c.val_loss) for c in found] == [(2, 1.2)]
    assert checkpoints.best_checkpoint(tmp_path).val_loss == 1.2


def test_accuracy_is_maximised_and_mode_can_be_forced(tmp_path):
    touch(tmp_path, "epoch001-val_accuracy0.5000.weights.h5", "epoch002-val_accuracy0.7000.weights.h5")
    assert checkpoints.best_checkpoint(tmp_path).epoch == 2
    assert checkpoints.best_checkpoint(tmp_path, mode="min").epoch == 1
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max', got 'largest'"):
        checkpoints.best_checkpoint(tmp_path, mode="largest")


def test_a_folder_of_two_monitored_quantities_is_refused(tmp_path):
    touch(tmp_path, "epoch001-val_loss0.5000.weights.h5", "epoch002-loss0.7000.weights.h5")
    with pytest.raises(ValueError, match=r"several quantities \['loss', 'val_loss'\]"):
        checkpoints.best_checkpoint(tmp_path)


def test_partial_files_are_not_checkpoints(tmp_path):
    touch(tmp_path, ".partial-123-epoch001-val_loss1.0000.weights.h5")
    with pytest.raises(FileNotFoundError, match="empty folder"):
        checkpoints.list_checkpoints(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"monitor": "val loss"}, "monitor must be the name of a logged quantity"),
        ({"monitor": None}, "monitor must be the name"),
        ({"mode": "largest"}, "mode must be 'auto', 'min' or 'max'"),
        ({"save_best_only": "yes"}, "save_best_only must be True or False"),
    ],
)
def test_checkpoint_callback_refuses_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        checkpoints.checkpoint_callback(tmp_path, **kwargs)


def fit(model, folder, epochs=3, validation=True, **kwargs):
    ids = np.random.default_rng(0).integers(0, 13, size=(16, 11)).astype(np.int32)
    data = {"validation_data": (ids[:, :-1], ids[:, 1:])} if validation else {}
    return model.fit(
        ids[:, :-1],
        ids[:, 1:],
        epochs=epochs,
        verbose=0,
        callbacks=[checkpoints.checkpoint_callback(folder, **kwargs)],
        **data,
    )


def test_training_without_validation_data_monitors_the_training_loss(tmp_path):
    history = fit(tiny_model(), tmp_path, validation=False, monitor="loss")
    found = checkpoints.list_checkpoints(tmp_path)
    assert [(c.epoch, c.monitor) for c in found] == [(1, "loss"), (2, "loss"), (3, "loss")]
    np.testing.assert_allclose([c.value for c in found], history.history["loss"], atol=1e-4)
    best = int(np.argmin(np.round(history.history["loss"], 4))) + 1
    assert checkpoints.best_checkpoint(tmp_path).epoch == best


def test_monitoring_val_loss_without_validation_data_says_what_to_do(tmp_path):
    with pytest.raises(ValueError, match=r"'val_loss' is not in the logs .*monitor='loss'"):
        fit(tiny_model(), tmp_path, validation=False)


def test_another_metric_with_save_best_only_saves_each_improvement(tmp_path):
    model = shakespeare.build_model(13, 4, 8)
    model.compile(
        optimizer="adam",
        loss=keras_loss(),
        metrics=["accuracy"],
    )
    history = fit(model, tmp_path, epochs=4, monitor="val_loss", save_best_only=True, mode="max")
    # mode="max" on a falling loss: only the epochs that set a new maximum are saved
    values = history.history["val_loss"]
    expected = [e + 1 for e, v in enumerate(values) if v > max(values[:e], default=-np.inf)]
    assert [c.epoch for c in checkpoints.list_checkpoints(tmp_path)] == expected
    fit(model, tmp_path / "acc", epochs=2, monitor="val_accuracy")
    assert [c.monitor for c in checkpoints.list_checkpoints(tmp_path / "acc")] == ["val_accuracy"] * 2


def keras_loss():
    import keras

    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def test_a_checkpoint_write_leaves_no_temporary_file(tmp_path):
    fit(tiny_model(), tmp_path, epochs=2)
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["epoch001", "epoch002"]


# --- ExactBackup (the kill-at-any-instant test is tests/test_resume.py) -----------------


class Crash(Exception):
    pass


class CrashAfter(shakespeare.keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise Crash


def backup_fit(folder, epochs=3, crash_after=None, seed=0):
    shakespeare.keras.utils.set_random_seed(seed)
    model = tiny_model()
    order = shakespeare.EpochShuffle()
    ids = np.random.default_rng(0).integers(0, 13, size=2000)
    train = shakespeare.make_dataset(ids, 10, 8, seed=seed, epoch=order)
    backup = checkpoints.ExactBackup(folder)
    callbacks = [order, backup] + ([CrashAfter(crash_after)] if crash_after else [])
    try:
        model.fit(train, epochs=epochs, verbose=0, callbacks=callbacks, shuffle=False)
    except Crash:
        pass
    return model, backup


def weights_equal(a, b):
    return all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a.weights, b.weights, strict=True))


def test_exact_backup_resumes_bit_for_bit_in_process(tmp_path):
    reference, ref_backup = backup_fit(tmp_path / "a")
    backup_fit(tmp_path / "b", crash_after=1)
    assert (tmp_path / "b" / "state.json").is_file()
    resumed, backup = backup_fit(tmp_path / "b")
    assert backup.resumed_from == 1
    assert weights_equal(reference, resumed)
    assert backup.history == ref_backup.history and len(backup.history["loss"]) == 3
    assert checkpoints.read_history(tmp_path / "b") == backup.history
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["history.json"]


def test_an_unreadable_state_resumes_from_the_newest_intact_weights_and_says_so(tmp_path, capsys):
    reference, _ = backup_fit(tmp_path / "a")
    backup_fit(tmp_path / "b", crash_after=2)
    (tmp_path / "b" / "state.json").write_text('{"epoch": 2, "weigh')  # cut short
    resumed, backup = backup_fit(tmp_path / "b")
    out = capsys.readouterr().out
    assert "unreadable (JSONDecodeError" in out and "epoch000002.weights.h5 (2 epochs done)" in out
    assert backup.resumed_from == 2 and len(backup.history["loss"]) == 3
    assert weights_equal(reference, resumed)


def test_a_damaged_weights_file_is_caught_by_its_checksum(tmp_path, capsys):
    backup_fit(tmp_path, crash_after=2)
    weights = tmp_path / "epoch000002.weights.h5"
    weights.write_bytes(weights.read_bytes()[:1000])
    _, backup = backup_fit(tmp_path)
    out = capsys.readouterr().out
    assert "does not match the checksum" in out and "training starts from epoch 1" in out
    assert backup.resumed_from == 0 and len(backup.history["loss"]) == 3


def test_a_stopped_run_deletes_its_backup_like_keras(tmp_path):
    class Stop(shakespeare.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    model = tiny_model()
    ids = np.random.default_rng(0).integers(0, 13, size=(16, 11)).astype(np.int32)
    model.fit(
        ids[:, :-1], ids[:, 1:], epochs=3, verbose=0, callbacks=[checkpoints.ExactBackup(tmp_path), Stop()]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json"]
    assert len(checkpoints.read_history(tmp_path)["loss"]) == 1


def test_exact_backup_refuses_a_bad_folder_and_read_history_a_missing_one(tmp_path):
    with pytest.raises(ValueError, match="directory must be a folder path, got None"):
        checkpoints.ExactBackup(None)
    with pytest.raises(FileNotFoundError, match="history.json does not exist"):
        checkpoints.read_history(tmp_path)


def test_a_backup_of_another_model_size_is_not_loaded_and_training_starts_afresh(tmp_path, capsys):
    backup_fit(tmp_path, crash_after=2)
    shakespeare.keras.utils.set_random_seed(0)
    model = tiny_model(units=16)
    fresh = [w.numpy().copy() for w in model.weights]
    backup = checkpoints.ExactBackup(tmp_path)
    backup.set_model(model)
    backup.on_train_begin()
    out = capsys.readouterr().out
    assert "another size" in out and "training starts from epoch 1" in out
    assert backup.resumed_from == 0
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(fresh, model.weights, strict=True))


# --- mutation testing (tools/mutation.sh checkpoints): values stated without training -------


def test_checkpoint_callback_is_a_model_checkpoint_with_the_book_s_settings(tmp_path):
    import keras

    folder = tmp_path / "runs" / "a"  # parent folders are made too
    callback = checkpoints.checkpoint_callback(folder)
    assert folder.is_dir()
    assert isinstance(callback, keras.callbacks.ModelCheckpoint)
    assert type(callback).__name__ == "AtomicModelCheckpoint"
    assert callback.filepath == str(folder / "epoch{epoch:03d}-val_loss{val_loss:.4f}.weights.h5")
    assert (callback.monitor, callback.mode) == ("val_loss", "auto")
    assert callback.save_weights_only is True and callback.save_best_only is False
    again = checkpoints.checkpoint_callback(folder, "loss", save_best_only=True, mode="min")  # folder exists
    assert again.filepath == str(folder / "epoch{epoch:03d}-loss{loss:.4f}.weights.h5")
    assert (again.monitor, again.mode, again.save_best_only) == ("loss", "min", True)
    assert checkpoints.checkpoint_callback(folder, "accuracy", mode="max").mode == "max"


def test_save_best_only_refusal_names_the_value(tmp_path):
    with pytest.raises(ValueError, match=r"^save_best_only must be True or False, got 'yes'$"):
        checkpoints.checkpoint_callback(tmp_path, save_best_only="yes")


def test_monitor_names_may_use_capitals():
    assert checkpoints.file_template("F1") == "epoch{epoch:03d}-F1{F1:.4f}.weights.h5"


def test_missing_folder_error_says_how_to_make_it(tmp_path):
    folder = tmp_path / "nowhere"
    with pytest.raises(
        FileNotFoundError, match=re.escape(f"train with checkpoint_callback('{folder}') first")
    ):
        checkpoints.list_checkpoints(folder)


def test_no_checkpoint_error_lists_the_first_five_other_files(tmp_path):
    touch(tmp_path, *(f"file{i}.txt" for i in range(6)), ".hidden")
    names = ", ".join(f"'file{i}.txt'" for i in range(5))
    with pytest.raises(FileNotFoundError, match=rf"found \[{names}\]$"):
        checkpoints.list_checkpoints(tmp_path)
    for i in range(6):
        (tmp_path / f"file{i}.txt").unlink()
    with pytest.raises(FileNotFoundError, match=r"found an empty folder$"):
        checkpoints.list_checkpoints(tmp_path)


def test_mode_max_picks_the_largest_value(tmp_path):
    touch(tmp_path, "epoch001-val_loss0.5000.weights.h5", "epoch002-val_loss0.7000.weights.h5")
    assert checkpoints.best_checkpoint(tmp_path, mode="max").epoch == 2
    assert checkpoints.best_checkpoint(tmp_path, mode="min").epoch == 1
