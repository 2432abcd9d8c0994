"""The int8 CNNs shipped with the package, by architecture name.

``fer_classic/cnn/default_model/packaged.json`` lists them: per name, the
``.tflite`` file, its model card and its accuracy on FER-2013's validation
(PublicTest) and test (PrivateTest) splits. The default model of ``predict`` and
``evaluate`` is the one with the best validation accuracy; the test accuracy is
reported, never used to choose. ``python benchmarks/package_cnn.py`` writes the
entries from trained runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import RunError

#: The index of the packaged models, inside ``fer_classic/cnn/default_model/``.
INDEX = "packaged.json"


@dataclass(frozen=True)
class PackagedModel:
    """One packaged int8 model.

    Parameters
    ----------
    name : str
        Its architecture's name (``squeezenet``, ``compact``).
    path : Path
        The ``.tflite`` file.
    card : Path
        Its model card (Markdown).
    val_accuracy, test_accuracy : float
        Accuracy of the file on FER-2013's PublicTest and PrivateTest, in [0, 1].
    """

    name: str
    path: Path
    card: Path
    val_accuracy: float
    test_accuracy: float


def packaged_dir() -> Path:
    """The folder of the packaged models."""
    return Path(str(resources.files("fer_classic.cnn") / "default_model"))


@cache
def packaged_models() -> dict[str, PackagedModel]:
    """The packaged models by name, in the order of the index."""
    folder = packaged_dir()
    index = folder / INDEX
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))["models"]
        return {
            name: PackagedModel(
                name=name,
                path=folder / entry["file"],
                card=folder / entry["card"],
                val_accuracy=float(entry["val_accuracy"]),
                test_accuracy=float(entry["test_accuracy"]),
            )
            for name, entry in entries.items()
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunError(f"{index}: cannot read the packaged models ({exc})") from None


def packaged_model(name: str | None = None) -> PackagedModel:
    """The packaged model called ``name``; None: the best by validation accuracy.

    Raises
    ------
    RunError
        No packaged model has that name, or its file is missing.
    """
    models = packaged_models()
    if name is None:
        if not models:
            raise RunError(f"{packaged_dir() / INDEX}: lists no packaged model")
        model = max(models.values(), key=lambda m: m.val_accuracy)
    elif name in models:
        model = models[name]
    else:
        raise RunError(f"no packaged model named {name!r}; packaged: {', '.join(models)}")
    if not model.path.exists():
        raise RunError(
            f"the packaged {model.name} CNN is missing ({model.path}); "
            "pass --model RUN_DIR or FILE.tflite"
        )
    return model
