"""Package a trained CNN's int8 export as the named packaged model of fer-classic.

Usage::

    python benchmarks/package_cnn.py NAME RUN_DIR --data fer2013.csv.gz --training TEXT

Copies the run's ``model_int8.tflite`` to
``fer_classic/cnn/default_model/fer_NAME_int8.tflite``, scores it on FER-2013's
PublicTest and PrivateTest splits, and writes its entry into ``packaged.json``:
file, model card, both accuracies, the data set's and test split's fingerprints,
and from the run's ``metrics.json`` the parameter count and training time, with
``--training`` saying in a few words how it trained. The default model of ``predict`` and
``evaluate`` is then the packaged model with the best PublicTest accuracy. The
model card, ``MODEL_CARD_NAME.md``, is written by hand from the run's files.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from fer_classic.cnn import evaluate_model, load_cnn_model
from fer_classic.cnn.architectures import ARCHITECTURES
from fer_classic.cnn.packaged import INDEX, packaged_dir
from fer_classic.data import load_dataset
from fer_classic.files import read_json, write_json_atomic
from fer_classic.runs import METRICS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(ARCHITECTURES))
    parser.add_argument("source", type=Path, help="finished CNN run directory")
    parser.add_argument("--data", required=True, help="FER-2013 (fer2013.csv or .csv.gz)")
    parser.add_argument("--training", required=True, help="how it trained, in a few words")
    args = parser.parse_args()
    metrics = read_json(args.source / METRICS)
    model = load_cnn_model(args.source, variant="int8")
    dataset = load_dataset(args.data, split="canonical")
    scores = {subset: evaluate_model(model, dataset, subset) for subset in ("val", "test")}
    folder = packaged_dir()
    file_name = f"fer_{args.name}_int8.tflite"
    if Path(model.source).resolve() != (folder / file_name).resolve():
        shutil.copyfile(model.source, folder / file_name)
    index_path = folder / INDEX
    index = json.loads(index_path.read_text()) if index_path.exists() else {"models": {}}
    index["models"][args.name] = {
        "file": file_name,
        "card": f"MODEL_CARD_{args.name}.md",
        "bytes": (folder / file_name).stat().st_size,
        "val_accuracy": round(scores["val"]["accuracy"], 4),
        "test_accuracy": round(scores["test"]["accuracy"], 4),
        "data": dataset.fingerprint,
        "test_fingerprint": dataset.test.fingerprint,
        "parameters": metrics["n_params"],
        "train_seconds": metrics.get("train_seconds_with_init", metrics["train_seconds"]),
        "training": args.training,
    }
    write_json_atomic(index_path, index)
    for subset, result in scores.items():
        print(
            f"{args.name} {subset}: accuracy {result['accuracy']:.4f}, "
            f"macro-F1 {result['macro_f1']:.4f}"
        )


if __name__ == "__main__":
    main()
