"""Searching a classifier of your own beside the built-in ones.

Any scikit-learn classifier, a class or a function returning one, registered by
name, is searched like KNN, SVM and random forests: named in ``models`` and in
grid files, with the same feature cache, resume and parallel workers, and
reported under its name. Here: scikit-learn's ridge classifier with a grid of
its own, against k-nearest neighbours, on HOG features.
"""

from sklearn.linear_model import RidgeClassifier

from fer_classic.classical import grid_search, register_classifier
from fer_classic.data import load_dataset

register_classifier("ridge", RidgeClassifier, {"scaler": "standard", "alpha": [1e2, 1e3, 1e4, 1e5]})
dataset = load_dataset(None)  # the synthetic faces; pass a path for FER-2013
grid = {"knn": {"scaler": "standard", "n_neighbors": [1, 5, 15]}}
result = grid_search(
    dataset, features="hog", models="ridge,knn", grid=grid, n_jobs=2, out="example-runs/ridge"
)
for model in ("ridge", "knn"):
    best = max((r for r in result.records if r["model"] == model), key=lambda r: r["score"])
    print(f"{model:5s} best validation accuracy {best['score']:.3f} ({best['params']})")
print(f"chosen: {result.best['model']}, test accuracy {result.metrics['accuracy']:.3f}")
