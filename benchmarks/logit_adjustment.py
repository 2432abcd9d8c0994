"""Post-hoc logit adjustment of a trained model, chosen on validation, scored on test.

Usage::

    python benchmarks/logit_adjustment.py [--model compact|squeezenet|RUN|FILE] \
        --data fer2013.csv.gz

Scores the model's class probabilities on the validation split (PublicTest) for every
``tau`` of :data:`fer_classic.cnn.logit_adjustment.TAUS`, chooses ``tau`` by validation
macro-F1 (:func:`~fer_classic.cnn.logit_adjustment.choose_tau`), and reports the test
split (PrivateTest) before and after, per class. Adjusting the probabilities equals
folding the offsets into a dense softmax classifier's bias, which ``train-cnn
--logit-adjustment`` does; here it also applies to models whose weights are only at
hand as a TensorFlow Lite file (the packaged ones).

The model is scored as it was trained: a packaged model's file without the adjustment
its index may hold, a run's ``model_unadjusted.keras`` where it has one. With
``--package``, the chosen adjustment and the adjusted accuracies go into the packaged
model's entry of ``packaged.json``, which :func:`fer_classic.inference.load_model`
then applies (``--model`` must name a packaged model, ``--data`` FER-2013).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from tabulate import tabulate

from fer_classic.cnn.logit_adjustment import adjust_probabilities, choose_tau, class_prior
from fer_classic.cnn.packaged import INDEX, packaged_dir, packaged_model
from fer_classic.data import load_dataset
from fer_classic.evaluation import score_predictions
from fer_classic.files import write_json_atomic
from fer_classic.inference import is_packaged_name, load_model
from fer_classic.runs import CNN_UNADJUSTED_MODEL


def _as_trained(source: str) -> Any:
    """The model of ``source`` without any logit adjustment."""
    if is_packaged_name(source):
        return load_model(str(packaged_model(source).path))
    unadjusted = Path(source) / CNN_UNADJUSTED_MODEL
    return load_model(unadjusted if unadjusted.exists() else source)


def _package(name: str, tau: float, prior: np.ndarray, chosen_on: str, accuracy: dict) -> None:
    index_path = packaged_dir() / INDEX
    index = json.loads(index_path.read_text(encoding="utf-8"))
    entry = index["models"][name]
    entry["logit_adjustment"] = {
        "tau": tau,
        "chosen_on": chosen_on,
        "prior": [round(float(p), 6) for p in prior],
    }
    entry["val_accuracy"] = round(accuracy["val"], 4)
    entry["test_accuracy"] = round(accuracy["test"], 4)
    write_json_atomic(index_path, index)
    print(f"\n{index_path}: {name} gains tau {tau:g}; accuracies of the adjusted model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="compact", help="packaged name, run or model file")
    parser.add_argument("--data", required=True, help="fer2013.csv(.gz) or another data set")
    parser.add_argument(
        "--package", action="store_true", help="write the adjustment into packaged.json"
    )
    args = parser.parse_args()
    dataset = load_dataset(args.data, split="canonical" if args.package else "auto")
    if args.package and (
        not is_packaged_name(args.model)
        or packaged_model(args.model).data_fingerprint != dataset.fingerprint
    ):
        parser.error("--package needs a packaged --model and the FER-2013 it was scored on")
    model = _as_trained(args.model)
    names = dataset.class_names
    prior = class_prior(dataset.train.labels, len(names))
    val = model.predict_proba(dataset.val.images)
    test = model.predict_proba(dataset.test.images)
    tau, table = choose_tau(val, dataset.val.labels, prior, names)

    rows = []
    for candidate, macro_f1 in table.items():
        scores = score_predictions(
            dataset.val.labels, adjust_probabilities(val, prior, candidate), names
        )
        lowest = min(c["f1"] for c in scores["per_class"].values() if c["present"])
        mark = " (chosen)" if candidate == tau else ""
        rows.append(
            [f"{candidate:g}{mark}", f"{100 * scores['accuracy']:.2f}", f"{macro_f1:.4f}", lowest]
        )
    print(f"{model.description}; prior from {len(dataset.train)} training images")
    print(f"validation ({dataset.val.source_name}, {len(dataset.val)} images):")
    print(
        tabulate(
            rows, ["tau", "accuracy %", "macro-F1", "lowest F1"], tablefmt="github", floatfmt=".3f"
        )
    )

    before = score_predictions(dataset.test.labels, test, names)
    after = score_predictions(dataset.test.labels, adjust_probabilities(test, prior, tau), names)
    print(f"\ntest ({dataset.test.source_name}, {len(dataset.test)} images), tau {tau:g}:")
    rows = [
        ["accuracy %", f"{100 * before['accuracy']:.2f}", f"{100 * after['accuracy']:.2f}"],
        ["macro-F1", f"{before['macro_f1']:.4f}", f"{after['macro_f1']:.4f}"],
    ]
    for name in names:
        f1 = (before["per_class"][name]["f1"], after["per_class"][name]["f1"])
        rows.append([f"F1 {name}", f"{f1[0]:.3f}", f"{f1[1]:.3f}"])
    agree = np.mean(test.argmax(axis=1) == adjust_probabilities(test, prior, tau).argmax(axis=1))
    print(tabulate(rows, ["", "as trained", "adjusted"], tablefmt="github", disable_numparse=True))
    print(f"same prediction on {100 * agree:.1f} % of the test images")
    if args.package:
        adjusted_val = adjust_probabilities(val, prior, tau).argmax(axis=1)
        accuracy = {
            "val": float(np.mean(adjusted_val == dataset.val.labels)),
            "test": after["accuracy"],
        }
        _package(args.model, tau, prior, dataset.val.source_name, accuracy)


if __name__ == "__main__":
    main()
