"""From data to report with the Python API.

Loads a data set (the built-in synthetic one here: pass a path to ``fer2013.csv``
to use FER-2013), searches HOG and LBP features with KNN and an SVM, scores the best
pipeline once on the test split, and writes the comparison report (tables, plots,
HTML) beside the run. The synthetic figures mean nothing about real faces.
"""

from pathlib import Path

from fer_classic.classical import grid_search
from fer_classic.data import load_dataset
from fer_classic.reports import compare

out = Path("example-runs")
dataset = load_dataset(None)  # or load_dataset("fer2013.csv.gz")
print(f"{len(dataset.train)} training, {len(dataset.val)} validation, {len(dataset.test)} test")

grid = {"knn": {"n_neighbors": [1, 5]}, "svm": {"kernel": ["linear"], "C": [0.1, 1.0]}}
result = grid_search(dataset, features="hog,lbp", models="knn,svm", grid=grid, out=out / "search")
best = result.best
print(f"best on validation: {best['feature']} + {best['model']} {best['params']}")
print(f"test accuracy: {result.metrics['accuracy']:.3f}")

comparison, files = compare([result.run_dir], out / "report", latency_images=50, warmup=2)
print(f"report: {files['html']}")
