"""Weight checkpoints named ``epoch{NNN}-val_loss{X.XXXX}.weights.h5``, found by their names.

Keras 3 saves weights only to files ending in ``.weights.h5``, and
``tf.train.latest_checkpoint`` does not know these files (it returns None), so we
parse the names ourselves: :func:`latest_checkpoint` (highest epoch) and
:func:`best_checkpoint` (lowest validation loss). :func:`load_weights` checks that a
file fits the model before loading it and says what was expected when it does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FILE_TEMPLATE = "epoch{epoch:03d}-val_loss{val_loss:.4f}.weights.h5"
FILE_PATTERN = re.compile(r"^epoch(\d+)-val_loss(\d+(?:\.\d+)?|nan|inf)\.weights\.h5$")


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    epoch: int  # 1-based, as Keras formats {epoch}
    val_loss: float


def checkpoint_callback(directory, monitor: str = "val_loss"):
    """A ModelCheckpoint that saves the weights after every epoch under ``directory``."""
    import keras

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return keras.callbacks.ModelCheckpoint(
        str(directory / FILE_TEMPLATE), monitor=monitor, save_weights_only=True, save_best_only=False
    )


def parse_name(name: str) -> Checkpoint | None:
    """The epoch and validation loss in a checkpoint's file name, or None for any other name."""
    match = FILE_PATTERN.match(Path(name).name)
    if match is None:
        return None
    return Checkpoint(Path(name), int(match[1]), float(match[2]))


def list_checkpoints(directory) -> list[Checkpoint]:
    """Every checkpoint in ``directory``, by epoch; FileNotFoundError when there is none."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"checkpoint folder {directory} does not exist; train with "
            f"checkpoint_callback({str(directory)!r}) first"
        )
    found = [c for c in map(parse_name, directory.iterdir()) if c is not None]
    if not found:
        others = sorted(p.name for p in directory.iterdir())[:5]
        raise FileNotFoundError(
            f"no checkpoint in {directory}: expected files named like "
            f"{FILE_TEMPLATE.format(epoch=1, val_loss=1.2345)!r}, found "
            f"{others if others else 'an empty folder'}"
        )
    found = [Checkpoint(directory / c.path.name, c.epoch, c.val_loss) for c in found]
    return sorted(found, key=lambda c: (c.epoch, c.path.stat().st_mtime))


def latest_checkpoint(directory) -> Checkpoint:
    """The checkpoint of the highest epoch in ``directory``."""
    return list_checkpoints(directory)[-1]


def best_checkpoint(directory) -> Checkpoint:
    """The checkpoint with the lowest validation loss in ``directory`` (the later one on a tie)."""
    checkpoints = list_checkpoints(directory)
    return min(reversed(checkpoints), key=lambda c: c.val_loss)


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


def load_weights(model, path) -> Path:
    """Load ``path`` into ``model`` after checking that the file holds weights of the model's shapes."""
    path = Path(path)
    if not path.name.endswith(".weights.h5"):
        raise ValueError(f"{path} is not a Keras weights file: expected a name ending in .weights.h5")
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    expected = sorted(tuple(w.shape) for w in model.weights)
    stored = sorted(weight_shapes_in_file(path))
    if stored != expected:
        missing = [s for s in expected if s not in stored]
        extra = [s for s in stored if s not in expected]
        raise ValueError(
            f"{path.name} was saved from a model of another size: the model {model.name!r} expects "
            f"weights of shapes {expected}, the file holds {stored} (the model needs {missing}, "
            f"the file has {extra} instead); build the model with the sizes the file was trained with"
        )
    model.load_weights(str(path))
    return path
