"""A cross-dataset evaluation: train on one data set, test on another.

FER papers report how a model trained on FER-2013 does on CK+ or JAFFE, which come
as ``root/<class>/`` image folders. Here a KNN pipeline is trained on the built-in
synthetic faces and scored on every image of a class folder drawn with another seed
(written to disk as PNG files, as a downloaded data set would be). With real data:
``load_dataset("fer2013.csv.gz")`` to train and ``load_dataset("CK+48")`` to test.
"""

from pathlib import Path

import cv2

from fer_classic.classical import grid_search
from fer_classic.data import CLASS_NAMES, load_dataset, make_synthetic
from fer_classic.evaluation import evaluate_model, format_scores
from fer_classic.inference import load_model

# Another data set, as a root/<class>/ folder of images.
folder = Path("example-faces")
other = make_synthetic(n_per_class=20, seed=9)
for i, (image, label) in enumerate(zip(other.raw.images, other.raw.labels, strict=True)):
    class_dir = folder / CLASS_NAMES[label]
    class_dir.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(class_dir / f"{i}.png"), image)

train = load_dataset(None)
grid = {"knn": {"n_neighbors": [1, 5]}}
run = grid_search(train, features="hog", models="knn", grid=grid, out="example-runs/hog-knn")
print(f"on its own test split: accuracy {run.metrics['accuracy']:.3f}")

test = load_dataset(folder, split="stratified")
scores = evaluate_model(load_model(run.run_dir), test, "all")  # every image of the folder
print(format_scores(scores, f"{run.run_dir} on {folder} (all {scores['n']} images)"))
