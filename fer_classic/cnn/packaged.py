"""The int8 CNNs shipped with the package, by architecture name.

``fer_classic/cnn/default_model/packaged.json`` lists them: per name, the
``.tflite`` file, its model card, its accuracy on FER-2013's validation
(PublicTest) and test (PrivateTest) splits, the fingerprints of the data set and
test split it was scored on, its parameter count, its training in one line, and
where one was chosen after the file was made, its logit adjustment.
The default model of ``predict`` and ``evaluate`` is the one with the best
validation accuracy; the test accuracy is reported, never used to choose.
``python benchmarks/package_cnn.py`` writes the entries from trained runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

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
    data_fingerprint, test_fingerprint : str or None
        Fingerprints of the data set (``FERDataset.fingerprint``) and of the test
        split the accuracies were measured on; None where the index lacks them.
    parameters : int or None
        The network's parameter count.
    train_seconds : float or None
        Training time of the weights, all runs that trained them added up.
    training : str
        How the weights were trained, in a few words; the model card tells all.
    logit_adjustment : dict or None
        ``tau``, ``prior`` and ``chosen_on`` of a logit adjustment chosen after
        the file was made (:mod:`fer_classic.cnn.logit_adjustment`), which
        :func:`fer_classic.inference.load_model` applies to its probabilities;
        the accuracies are those of the adjusted model. None: the file as it is.
    """

    name: str
    path: Path
    card: Path
    val_accuracy: float
    test_accuracy: float
    data_fingerprint: str | None = None
    test_fingerprint: str | None = None
    parameters: int | None = None
    train_seconds: float | None = None
    training: str = ""
    logit_adjustment: dict[str, Any] | None = None


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
                data_fingerprint=entry.get("data"),
                test_fingerprint=entry.get("test_fingerprint"),
                parameters=None if entry.get("parameters") is None else int(entry["parameters"]),
                train_seconds=_optional_float(entry.get("train_seconds")),
                training=str(entry.get("training", "")),
                logit_adjustment=_adjustment(entry.get("logit_adjustment")),
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


def _adjustment(entry: Any) -> dict[str, Any] | None:
    if entry is None:
        return None
    tau, prior = float(entry["tau"]), [float(p) for p in entry["prior"]]
    if tau < 0 or not prior or min(prior) <= 0:
        raise ValueError(f"logit_adjustment needs tau >= 0 and a positive prior, got {entry}")
    return {"tau": tau, "prior": prior, "chosen_on": str(entry.get("chosen_on", ""))}


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
