"""Benchmarks and reports of ``fer-classic grid-search`` (figures in benchmarks/grid_search.md).

Subcommands:

``naive``
    Our search against the naive way, side by side in one process: scikit-learn's
    ``GridSearchCV`` over a ``Pipeline`` whose first step extracts HOG, which
    recomputes the features for every candidate and fold, and
    :func:`fer_classic.classical.grid_search` on the same grid and folds (features
    computed once, from an empty cache). Prints both times, their ratio and both
    best candidates.

``knn-sweep RUN_DIR``
    Seed 003's KNN figures from a finished run of ``benchmarks/grids/knn_seed003.toml``:
    validation accuracy against the norm p and against k, as a table
    (``reports/knn_sweep.md``) and a plot (``reports/knn_sweep.png``).

``export-features`` / ``sklearnex``
    scikit-learn-intelex: ``export-features`` writes standardised, PCA-reduced
    HOG + LBP + landmarks features of a FER-2013 subset to an ``.npz``;
    ``sklearnex``, run with a Python that has scikit-learn-intelex (never the
    project's environment), times SVC, KNN and random forest on them with and
    without ``sklearnex.patch_sklearn`` and compares their predictions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _fer2013(args):
    from fer_classic.data import find_fer2013, load_dataset

    path = args.data or find_fer2013()
    if path is None:
        sys.exit("FER-2013 not found: pass --data or set FER2013_PATH")
    return load_dataset(path)


def _subset(dataset, n_train: int, n_val: int, seed: int = 0):
    """The first stratified ``n_train`` training and ``n_val`` validation images."""
    from sklearn.model_selection import train_test_split

    from fer_classic.data import dataset_from_arrays

    def pick(split, n):
        rows, _ = train_test_split(
            np.arange(len(split)), train_size=n, stratify=split.labels, random_state=seed
        )
        return np.sort(rows)

    tr, va = pick(dataset.train, n_train), pick(dataset.val, n_val)
    images = np.concatenate(
        [dataset.train.images[tr], dataset.val.images[va], dataset.test.images[:200]]
    )
    labels = np.concatenate(
        [dataset.train.labels[tr], dataset.val.labels[va], dataset.test.labels[:200]]
    )
    usage = np.repeat([0, 1, 2], [len(tr), len(va), 200])
    return dataset_from_arrays(images, labels, usage, split="canonical", source="fer2013-subset")


# -- naive -----------------------------------------------------------------------------------
NAIVE_KNN = {
    "scaler": "standard",
    "n_neighbors": [1, 5, 9, 15],
    "weights": ["uniform", "distance"],
    "p": [1, 2],
}
NAIVE_SVM = {"scaler": "standard", "kernel": "linear", "C": [0.001, 0.01, 0.1]}


def _naive_param_grid(with_svm: bool):
    from sklearn.svm import LinearSVC

    from fer_classic.classical.neighbors import KNNClassifier

    grid = [
        {
            "clf": [KNNClassifier()],
            "clf__n_neighbors": NAIVE_KNN["n_neighbors"],
            "clf__weights": NAIVE_KNN["weights"],
            "clf__p": NAIVE_KNN["p"],
        }
    ]
    if with_svm:
        grid.append({"clf": [LinearSVC(random_state=0, max_iter=5000)], "clf__C": NAIVE_SVM["C"]})
    return grid


def run_naive(args) -> None:
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    from fer_classic.classical import grid_search
    from fer_classic.features import HogFeatures

    dataset = _subset(_fer2013(args), args.n_train, 100)
    X, y = dataset.train.images, dataset.train.labels
    n_candidates = 4 * 2 * 2 + (3 if args.with_svm else 0)
    print(f"{len(y)} training images, {args.cv}-fold CV, {n_candidates} candidates")

    pipeline = Pipeline(
        [("features", HogFeatures()), ("scale", StandardScaler()), ("clf", LinearSVC())]
    )
    folds = StratifiedKFold(n_splits=args.cv, shuffle=True, random_state=0)
    naive = GridSearchCV(
        pipeline,
        _naive_param_grid(args.with_svm),
        scoring="accuracy",
        cv=folds,
        n_jobs=args.n_jobs,
        refit=False,
    )
    start = time.perf_counter()
    naive.fit(X, y)
    naive_s = time.perf_counter() - start
    best = naive.best_params_
    naive_best = {k.removeprefix("clf__"): v for k, v in best.items() if k != "clf"}
    naive_best["model"] = "knn" if "n_neighbors" in naive_best else "svm"
    print(
        f"GridSearchCV(Pipeline(HOG, scaler, clf)): {naive_s:.1f} s, best {naive_best} "
        f"({naive.best_score_:.4f})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ours = grid_search(
            dataset,
            features="hog",
            models="knn,svm" if args.with_svm else "knn",
            grid={"knn": NAIVE_KNN, **({"svm": NAIVE_SVM} if args.with_svm else {})},
            cv=args.cv,
            n_jobs=args.n_jobs,
            out=Path(tmp) / "run",
            cache_dir=Path(tmp) / "cache",
        )
        ours_s = time.perf_counter() - start
    ours_best = {k: v for k, v in ours.best["params"].items() if k != "scaler"}
    ours_best["model"] = ours.best["model"]
    print(
        f"fer-classic grid_search (features once): {ours_s:.1f} s, best {ours_best} "
        f"({ours.best['score']:.4f}); includes refit and test report"
    )
    same = ours_best == naive_best and abs(ours.best["score"] - naive.best_score_) < 1e-9
    print(f"speed-up {naive_s / ours_s:.1f}x; same best candidate and score: {same}")


# -- knn-sweep -------------------------------------------------------------------------------
def run_knn_sweep(args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tabulate import tabulate

    from fer_classic.files import read_json, read_jsonl

    run_dir = Path(args.run_dir)
    records = [r for r in read_jsonl(run_dir / "candidates.jsonl") if r["model"] == "knn"]
    metrics = read_json(run_dir / "metrics.json")
    acc = {
        (r["params"]["p"], r["params"]["n_neighbors"], r["params"]["weights"]): r["score"]
        for r in records
    }
    norms = sorted({k[0] for k in acc})
    ks = sorted({k[1] for k in acc})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for weights, ax in zip(("uniform", "distance"), axes, strict=True):
        for p in norms:
            ax.plot(ks, [100 * acc[(p, k, weights)] for k in ks], marker="o", label=f"L{p:g}")
        ax.set_title(f"raw pixels, {weights} weights")
        ax.set_xlabel("k (neighbours)")
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylabel("validation (PublicTest) accuracy, %")
    fig.suptitle("KNN on FER-2013 raw pixels: norm and k (seed 003, Figures 7 and 8)")
    fig.tight_layout()
    fig.savefig(out / "knn_sweep.png", dpi=120)

    headers = ["k", *[f"L{p:g} {w}" for w in ("uniform", "distance") for p in norms]]
    rows = [
        [k, *[f"{100 * acc[(p, k, w)]:.2f}" for w in ("uniform", "distance") for p in norms]]
        for k in ks
    ]
    best = metrics["best"]
    lines = [
        "# KNN on raw pixels: norm and k sweep (seed 003, section 6.2.1)",
        "",
        "Validation (PublicTest, 3,589 images) accuracy in % of KNN on FER-2013's raw pixels, "
        "fitted on Training (28,709 images), for every norm, k and weighting. Made by:",
        "",
        "```bash",
        "fer-classic grid-search --data ../shared/datasets/fer2013/fer2013.csv.gz \\",
        "    --features pixels --models knn --grid benchmarks/grids/knn_seed003.toml \\",
        "    --out runs/knn-seed003",
        f"python benchmarks/bench_grid_search.py knn-sweep runs/knn-seed003 --out {args.out}",
        "```",
        "",
        tabulate(rows, headers=headers, tablefmt="github"),
        "",
        f"Selected on validation: p={best['params']['p']}, k={best['params']['n_neighbors']}, "
        f"{best['params']['weights']} weights ({100 * best['score']:.2f}%); its PrivateTest "
        f"accuracy: {100 * metrics['accuracy']:.2f}% (macro-F1 {100 * metrics['macro_f1']:.2f}%).",
        "",
        "![KNN sweep](knn_sweep.png)",
        "",
    ]
    (out / "knn_sweep.md").write_text("\n".join(lines))
    print("\n".join(lines))


# -- scikit-learn-intelex --------------------------------------------------------------------
def run_export(args) -> None:
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    from fer_classic.features import cached_transform, make_features

    dataset = _subset(_fer2013(args), args.n_train, 2000)
    transformer = make_features("hog+lbp+landmarks")
    train, val = (
        cached_transform(transformer, s.images, s.fingerprint) for s in (dataset.train, dataset.val)
    )
    scaler = StandardScaler().fit(train)
    pca = PCA(100, svd_solver="randomized", random_state=0).fit(scaler.transform(train))
    reduced = [pca.transform(scaler.transform(x)).astype(np.float32) for x in (train, val)]
    np.savez(
        args.out,
        X_train=reduced[0],
        y_train=dataset.train.labels,
        X_val=reduced[1],
        y_val=dataset.val.labels,
    )
    print(f"wrote {args.out}: {len(train)} train, {len(val)} val, 100 PCA components")


def _time_models(data, patched: bool) -> dict:
    if patched:
        from sklearnex import patch_sklearn

        patch_sklearn(
            [
                "sklearn.svm.SVC",
                "sklearn.neighbors.KNeighborsClassifier",
                "sklearn.ensemble.RandomForestClassifier",
            ],
            verbose=False,
        )
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    models = {
        "svc_rbf": SVC(C=10, gamma="scale"),
        "knn_l2_k5": KNeighborsClassifier(5, algorithm="brute"),
        "rf_200": RandomForestClassifier(200, random_state=0, n_jobs=1),
    }
    out = {}
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(data["X_train"], data["y_train"])
        fitted = time.perf_counter()
        predicted = model.predict(data["X_val"])
        out[name] = {
            "fit_s": fitted - start,
            "predict_s": time.perf_counter() - fitted,
            "accuracy": float(np.mean(predicted == data["y_val"])),
            "pred": predicted.tolist(),
        }
    return out


def run_sklearnex(args) -> None:
    import subprocess

    if args.child:
        data = dict(np.load(args.features))
        json.dump(_time_models(data, args.child == "patched"), sys.stdout)
        return
    results = {}
    for mode in ("plain", "patched"):  # separate processes: patching cannot be undone cleanly
        cmd = [sys.executable, __file__, "sklearnex", args.features, "--child", mode]
        results[mode] = json.loads(
            subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        )
    print(
        f"{'model':<10} {'plain s':>9} {'patched s':>10} {'speed-up':>9} {'acc plain':>10} "
        f"{'acc patched':>12} {'same preds':>11}"
    )
    for name in results["plain"]:
        a, b = results["plain"][name], results["patched"][name]
        ta, tb = a["fit_s"] + a["predict_s"], b["fit_s"] + b["predict_s"]
        same = float(np.mean(np.asarray(a["pred"]) == np.asarray(b["pred"])))
        print(
            f"{name:<10} {ta:9.2f} {tb:10.2f} {ta / tb:8.1f}x {a['accuracy']:10.4f} "
            f"{b['accuracy']:12.4f} {100 * same:10.1f}%"
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    naive = sub.add_parser("naive", help="GridSearchCV over a HOG pipeline against ours")
    naive.add_argument("--data", help="FER-2013 csv (default: found as the tests find it)")
    naive.add_argument("--n-train", type=int, default=3000)
    naive.add_argument("--cv", type=int, default=3)
    naive.add_argument("--n-jobs", type=int, default=2)
    naive.add_argument("--with-svm", action="store_true", help="add 3 linear SVMs to the grid")
    naive.set_defaults(func=run_naive)
    sweep = sub.add_parser("knn-sweep", help="seed 003's KNN norm and k figures from a run")
    sweep.add_argument("run_dir")
    sweep.add_argument("--out", default="reports")
    sweep.set_defaults(func=run_knn_sweep)
    export = sub.add_parser("export-features", help="features for the sklearnex comparison")
    export.add_argument("out")
    export.add_argument("--data")
    export.add_argument("--n-train", type=int, default=5000)
    export.set_defaults(func=run_export)
    intelex = sub.add_parser("sklearnex", help="time models with and without sklearnex")
    intelex.add_argument("features")
    intelex.add_argument("--child", choices=("plain", "patched"), help=argparse.SUPPRESS)
    intelex.set_defaults(func=run_sklearnex)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
