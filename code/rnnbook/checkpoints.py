"""Checkpoints you can find again, and a training run that survives being killed at any instant.

Keras 3 saves weights only to files ending in ``.weights.h5``, and
``tf.train.latest_checkpoint`` does not know these files (it returns None), so the
checkpoints are named ``epoch{NNN}-{monitor}{X.XXXX}.weights.h5`` and found by parsing
the names: :func:`latest_checkpoint` (highest epoch) and :func:`best_checkpoint` (best
finite value of the monitored quantity). :func:`load_weights` checks that a file fits
the model before loading it and says what was expected when it does not.

Keras writes its checkpoints and ``BackupAndRestore``'s backup in place: a process killed
during a write leaves a half-written file that the next run cannot read, and a kill
between the backup's weights and its metadata makes the next run repeat an epoch. This
module writes every file under a temporary name and renames it into place
(:func:`os.replace` is atomic on POSIX and Windows), so that a reader of the folder only
ever sees complete files:

* :func:`checkpoint_callback` is Keras' ``ModelCheckpoint`` with that one change;
* :class:`ExactBackup` replaces ``BackupAndRestore``: its state (weights with the
  optimizer's variables, the number of finished epochs, the history so far) is one
  atomically replaced ``state.json`` pointing at an atomically written weights file.
  A run killed at any instant and started again resumes after its last finished
  epoch; together with a data order that depends only on ``(seed, epoch)``
  (:class:`rnnbook.shakespeare.EpochShuffle`) it ends with the same weights, bit for
  bit, as the run that was never interrupted (``tests/test_resume.py``).

For tests, the environment variable ``RNNBOOK_KILL_AT=<point>:<epoch>`` makes the
process kill itself (SIGKILL) at a named point inside a save; see :data:`KILL_POINTS`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from rnnbook import keras_setup

FILE_TEMPLATE = "epoch{epoch:03d}-val_loss{val_loss:.4f}.weights.h5"
FILE_PATTERN = re.compile(r"^epoch(\d+)-([A-Za-z_][A-Za-z0-9_]*?)(-?\d+(?:\.\d+)?|-?inf|nan)\.weights\.h5$")
# Where RNNBOOK_KILL_AT may kill a process: inside a checkpoint write (temporary file
# written, not yet renamed), and at each step of a backup.
KILL_POINTS = (
    "checkpoint-written",  # a checkpoint's temporary file is complete, not yet renamed
    "backup-weights-partial",  # half of the backup's temporary weights file is written
    "backup-weights-renamed",  # the new weights are in place, state.json still old
    "backup-state-written",  # state.json's temporary file is complete, not yet renamed
    "backup-state-renamed",  # state.json is new, the old weights not yet deleted
)
MAX_MODES = ("acc", "auc", "precision", "recall", "f1")


def _maybe_kill(point: str, epoch: int) -> None:
    """SIGKILL this process when ``RNNBOOK_KILL_AT`` names ``point`` at 1-based ``epoch``."""
    if os.environ.get("RNNBOOK_KILL_AT") == f"{point}:{epoch}":
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def _replace(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` to ``final`` atomically, after forcing its bytes to disk."""
    with open(tmp, "rb+") as file:
        os.fsync(file.fileno())
    os.replace(tmp, final)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    epoch: int  # 1-based, as Keras formats {epoch}
    monitor: str  # the quantity in the name, e.g. "val_loss" or "loss"
    value: float  # its value at that epoch (may be nan or inf)

    @property
    def val_loss(self) -> float:
        """The validation loss in the name; ValueError for a checkpoint named by another quantity."""
        if self.monitor != "val_loss":
            raise ValueError(f"{self.path.name} is named by {self.monitor!r}, not by 'val_loss'")
        return self.value


def file_template(monitor: str = "val_loss") -> str:
    """The checkpoint file name for ``monitor``: ``epoch{epoch:03d}-<monitor>{<monitor>:.4f}.weights.h5``."""
    if not isinstance(monitor, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", monitor):
        raise ValueError(
            f"monitor must be the name of a logged quantity such as 'val_loss' or 'loss', got {monitor!r}"
        )
    return f"epoch{{epoch:03d}}-{monitor}{{{monitor}:.4f}}.weights.h5"


def _remove_partials(directory: Path) -> None:
    """Delete the temporary files that killed processes left in ``directory``."""
    for path in directory.glob(".partial-*"):
        match = re.match(r"\.partial-(\d+)-", path.name)
        if match and _alive(int(match[1])):
            continue  # another live process is writing it
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (on Windows, where os.kill would end it, assume it does)."""
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class _AtomicModelCheckpoint:
    """Mixin body, bound to keras.callbacks.ModelCheckpoint in :func:`checkpoint_callback`."""

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        _remove_partials(Path(self.filepath).parent)

    def _save_model(self, epoch, batch, logs):
        if self.monitor not in (logs or {}):
            raise ValueError(
                f"checkpoint_callback(monitor={self.monitor!r}): {self.monitor!r} is not in the "
                f"logs of this fit ({sorted(logs or {})}); train with validation data, or monitor "
                f"a logged quantity such as monitor='loss'"
            )
        filepath = Path(self._get_file_path(epoch, batch, logs))
        if not self._should_save(epoch, batch, logs, str(filepath)):
            return
        filepath.parent.mkdir(parents=True, exist_ok=True)
        tmp = filepath.with_name(f".partial-{os.getpid()}-{filepath.name}")
        self.model.save_weights(str(tmp), overwrite=True)
        _maybe_kill("checkpoint-written", epoch + 1)
        _replace(tmp, filepath)

    def _should_save(self, epoch, batch, logs, filepath) -> bool:
        """ModelCheckpoint's own rule (Keras 3.10+ has it as a method); before, save_best_only's."""
        decide = getattr(super(), "_should_save_model", None)
        if decide is not None:
            return decide(epoch, batch, logs, filepath)
        if not self.save_best_only:
            return True
        current = logs[self.monitor]  # present: _save_model checked
        if not self.monitor_op(current, self.best):
            return False
        self.best = current
        return True


def checkpoint_callback(
    directory, monitor: str = "val_loss", *, save_best_only: bool = False, mode: str = "auto"
):
    """A ``ModelCheckpoint`` that saves the weights (and optimizer state) after each epoch.

    Files are named by :func:`file_template` (``monitor`` must be in the logs: with
    ``monitor="val_loss"`` train with validation data, or pass ``monitor="loss"``), and
    written under a temporary name then renamed, so a killed process never leaves a
    half-written checkpoint. ``save_best_only`` and ``mode`` are ``ModelCheckpoint``'s.
    """
    import keras

    template = file_template(monitor)
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if not isinstance(save_best_only, bool):
        raise ValueError(f"save_best_only must be True or False, got {save_best_only!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cls = type("AtomicModelCheckpoint", (_AtomicModelCheckpoint, keras.callbacks.ModelCheckpoint), {})
    return cls(
        str(directory / template),
        monitor=monitor,
        save_weights_only=True,
        save_best_only=save_best_only,
        mode=mode,
    )


def parse_name(name) -> Checkpoint | None:
    """The epoch, monitored quantity and value in a checkpoint's file name; None for other names."""
    match = FILE_PATTERN.match(Path(name).name)
    if match is None:
        return None
    return Checkpoint(Path(name), int(match[1]), match[2], float(match[3]))


def list_checkpoints(directory) -> list[Checkpoint]:
    """Every checkpoint in ``directory``, by epoch; FileNotFoundError when there is none.

    When two files name the same epoch (an epoch trained again after a kill, on hardware
    that does not reproduce the first attempt bit for bit), only the newer one counts.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"checkpoint folder {directory} does not exist; train with "
            f"checkpoint_callback({str(directory)!r}) first"
        )
    found = [c for c in map(parse_name, directory.iterdir()) if c is not None]
    if not found:
        others = sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))[:5]
        raise FileNotFoundError(
            f"no checkpoint in {directory}: expected files named like "
            f"{FILE_TEMPLATE.format(epoch=1, val_loss=1.2345)!r}, found "
            f"{others if others else 'an empty folder'}"
        )
    newest: dict[int, Checkpoint] = {}
    for c in sorted(found, key=lambda c: (c.path.stat().st_mtime_ns, c.path.name)):
        newest[c.epoch] = Checkpoint(directory / c.path.name, c.epoch, c.monitor, c.value)
    return [newest[epoch] for epoch in sorted(newest)]


def latest_checkpoint(directory) -> Checkpoint:
    """The checkpoint of the highest epoch in ``directory``."""
    return list_checkpoints(directory)[-1]


def best_checkpoint(directory, mode: str = "auto") -> Checkpoint:
    """The checkpoint with the best finite monitored value in ``directory``.

    ``mode`` "min" (losses), "max" (accuracies) or "auto" (max when the name contains
    acc, auc, precision, recall or f1, as Keras decides). A NaN or infinite value is
    never best; on a tie the later epoch wins. ValueError when the folder mixes
    monitored quantities or when no value is finite.
    """
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    found = list_checkpoints(directory)
    monitors = sorted({c.monitor for c in found})
    if len(monitors) > 1:
        raise ValueError(
            f"{directory} holds checkpoints named by several quantities {monitors}; keep one run per folder"
        )
    finite = [c for c in found if math.isfinite(c.value)]
    if not finite:
        raise ValueError(
            f"no checkpoint in {directory} has a finite {monitors[0]}: {[c.path.name for c in found]}"
        )
    if mode == "auto":
        mode = "max" if any(key in monitors[0] for key in MAX_MODES) else "min"
    sign = 1.0 if mode == "min" else -1.0
    return min(finite, key=lambda c: (sign * c.value, -c.epoch))


def weight_shapes_in_file(path) -> list[tuple[int, ...]]:
    """The shapes of the layers' weight arrays in a ``.weights.h5`` file.

    The optimizer's variables, which Keras stores beside them when the model was
    compiled, are left out.
    """
    import h5py

    shapes: list[tuple[int, ...]] = []
    with h5py.File(path, "r") as file:
        if "layers" in file:
            file["layers"].visititems(
                lambda _name, obj: shapes.append(tuple(obj.shape)) if isinstance(obj, h5py.Dataset) else None
            )
    return shapes


def check_fits(model, path) -> None:
    """ValueError naming the shapes when ``path`` holds weights of another model size."""
    expected = sorted(tuple(w.shape) for w in model.weights)
    stored = sorted(weight_shapes_in_file(path))
    if stored != expected:
        missing = [s for s in expected if s not in stored]
        extra = [s for s in stored if s not in expected]
        raise ValueError(
            f"{Path(path).name} was saved from a model of another size:\n"
            f"  the model {model.name!r} needs weights of shapes\n    {missing}\n"
            f"  the file has\n    {extra}\n"
            f"build the model with the sizes the file was trained with"
        )


def load_weights(model, path) -> Path:
    """Load ``path`` into ``model`` after checking that the file holds weights of the model's shapes."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"{path} is not a Keras weights file: expected a name ending in .weights.h5")
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    check_fits(model, path)
    model.load_weights(str(path))
    return path


class ExactBackup(keras_setup.load(seed=None).callbacks.Callback):
    """``BackupAndRestore`` that survives a kill at any instant and resumes exactly.

    After every epoch it writes, in ``directory``, the weights with the optimizer's
    variables (``epochNNNNNN.weights.h5``, under a temporary name, then renamed) and then
    ``state.json`` (the same way): the number of finished epochs, the weights file and
    its SHA-256, and the logs of every epoch so far. Only then is the previous weights
    file deleted. ``state.json`` therefore always names a complete weights file.

    At the start of ``fit`` a state found in ``directory`` is restored (weights,
    optimizer, epoch counter) and ``fit`` continues with the next epoch. If the state
    cannot be read (a disk error, a file edited by hand), the newest intact weights file
    in the folder is used instead, and the run says so; if there is none, training
    starts from the beginning, and says so. No rerun needs a person to delete files.

    ``history`` holds the logs of every finished epoch, those of earlier processes
    included; it is kept in ``directory/history.json`` after the run. As in Keras,
    a run that ends normally (also through ``stop_training``) deletes its backup.
    Only per-epoch backups; the model must be built and compiled.
    """

    STATE = "state.json"
    HISTORY = "history.json"

    def __init__(self, directory, *, delete_on_finish: bool = True, verbose: bool = True):
        super().__init__()
        if not isinstance(directory, str | os.PathLike) or not str(directory):
            raise ValueError(f"directory must be a folder path, got {directory!r}")
        self.directory = Path(directory)
        self.delete_on_finish = delete_on_finish
        self.verbose = verbose
        self.history: dict[str, list[float]] = {}
        self.resumed_from: int = 0  # finished epochs found at the start

    def _say(self, message: str) -> None:
        if self.verbose:
            print(message, flush=True)

    # --- restoring -----------------------------------------------------------------
    def _read_state(self) -> dict | None:
        path = self.directory / self.STATE
        if not path.exists():
            return None
        state = json.loads(path.read_text())
        weights = self.directory / state["weights"]
        if _sha256(weights) != state["sha256"]:
            raise ValueError(f"{weights.name} does not match the checksum in {self.STATE}")
        return state

    def _weight_files(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.directory.glob("epoch*.weights.h5"):
            match = re.fullmatch(r"epoch(\d+)\.weights\.h5", path.name)
            if match:
                found.append((int(match[1]), path))
        return sorted(found, reverse=True)

    def _restore(self, path: Path) -> None:
        model = self.model
        check_fits(model, path)  # before loading: a failed load must not leave half the weights
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(str(path))

    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError("ExactBackup needs a built model: call it on a batch, or build it, before fit()")
        if not self.directory.exists():
            return
        _remove_partials(self.directory)
        try:
            state = self._read_state()
            if state is not None:
                self._restore(self.directory / state["weights"])
                self._set_epoch(state["epoch"], state.get("history", {}))
                self._say(
                    f"resumed from {self.directory}: {state['epoch']} epochs done, "
                    f"continuing with epoch {state['epoch'] + 1}"
                )
            return
        except Exception as err:  # noqa: BLE001 (any unreadable state: fall back, and say so)
            problem = f"{type(err).__name__}: {err}"
        for epoch, path in self._weight_files():
            try:
                self._restore(path)
            except Exception:  # noqa: BLE001, S112 (a damaged file: try the next older one)
                continue
            history = self._read_history(epoch)
            self._set_epoch(epoch, history)
            self._say(
                f"the backup state in {self.directory} is unreadable ({problem}); "
                f"resumed from the newest intact weights, {path.name} ({epoch} epochs done)"
            )
            return
        self._say(
            f"the backup in {self.directory} is unreadable ({problem}) and holds no intact "
            f"weights; training starts from epoch 1"
        )

    def _read_history(self, epochs: int) -> dict[str, list[float]]:
        try:
            history = json.loads((self.directory / self.HISTORY).read_text())
            return {k: v[:epochs] for k, v in history.items() if len(v) >= epochs}
        except (OSError, ValueError):
            return {}

    def _set_epoch(self, epoch: int, history: dict) -> None:
        self.model._initial_epoch = epoch  # what BackupAndRestore sets; fit() starts there
        self.resumed_from = epoch
        self.history = {k: list(v) for k, v in history.items()}

    # --- saving --------------------------------------------------------------------
    def _write_json(self, name: str, value: dict, epoch: int, kill_points=(None, None)) -> None:
        final = self.directory / name
        tmp = final.with_name(f".partial-{name}")
        tmp.write_text(json.dumps(value))
        if kill_points[0]:
            _maybe_kill(kill_points[0], epoch)
        _replace(tmp, final)
        if kill_points[1]:
            _maybe_kill(kill_points[1], epoch)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self.directory.mkdir(parents=True, exist_ok=True)
        weights = self.directory / f"epoch{done:06d}.weights.h5"
        tmp = self.directory / f".partial-{weights.name}"
        self.model.save_weights(str(tmp), overwrite=True)
        if os.environ.get("RNNBOOK_KILL_AT") == f"backup-weights-partial:{done}":
            with open(tmp, "rb+") as file:  # what a kill in the middle of the write leaves
                file.truncate(tmp.stat().st_size // 2)
            _maybe_kill("backup-weights-partial", done)
        _replace(tmp, weights)
        _maybe_kill("backup-weights-renamed", done)
        self._write_json(self.HISTORY, self.history, done)
        state = {"epoch": done, "weights": weights.name, "sha256": _sha256(weights), "history": self.history}
        self._write_json(self.STATE, state, done, ("backup-state-written", "backup-state-renamed"))
        for _, old in self._weight_files():
            if old != weights:
                old.unlink(missing_ok=True)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None  # a later fit() of the same model starts afresh
        if not self.delete_on_finish or not self.directory.exists():
            return
        for path in self.directory.iterdir():
            if path.name != self.HISTORY:
                path.unlink()


def read_history(directory) -> dict[str, list[float]]:
    """The per-epoch logs an :class:`ExactBackup` in ``directory`` kept (``history.json``)."""
    path = Path(directory) / ExactBackup.HISTORY
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: train with ExactBackup({str(directory)!r}) first")
    return json.loads(path.read_text())
