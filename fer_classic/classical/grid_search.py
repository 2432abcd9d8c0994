"""``grid_search``: features, search, refit of the best candidate, test report, run directory.

The protocol, canonical by default: candidates are fitted on the training split
and scored on the validation split (FER-2013: Training and PublicTest); the best
one is refitted (on training, or training + validation with
``refit="train+val"``) and scored once on the test split (PrivateTest).
``cv=K`` selects by stratified K-fold on the training split instead, and
``search="halving"`` by successive halving (:mod:`fer_classic.classical.search`).

Features are computed once per extractor setting and split through the
feature cache (:func:`fer_classic.features.cached_transform`), never per
candidate or fold. Everything is written to a run directory
(:mod:`fer_classic.classical.rundir`) as it happens, so an interrupted search
resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from ..data import FERDataset
from ..errors import FerClassicError, ParameterError
from ..files import check_writable_dir
from ..runs import make_manifest, run_lock
from .backends import N_JOBS_RULE, check_n_jobs, execution_backend
from .grids import Grid, default_grid, expand_grid, load_grid_file, parse_grid_document
from .metrics import classification_metrics, save_confusion_png
from .pipelines import MODELS, make_model_pipeline, with_features
from .rundir import ClassicalRun
from .search import SEARCHES, Candidate, FeatureData, Search, best_record, make_candidates

REFITS = ("train", "train+val")


@dataclass
class GridSearchResult:
    """What a grid search leaves: its records, the chosen candidate and its test scores."""

    run_dir: Path
    records: list[dict[str, Any]]
    best: dict[str, Any]
    metrics: dict[str, Any]
    resumed: bool
    n_resumed: int


def parse_names(value: str | Sequence[str], valid: Sequence[str], what: str) -> list[str]:
    """``"a,b"`` or ``["a", "b"]`` as a list, each name checked against ``valid``."""
    names = [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)
    names = [n for n in names if n]
    if not names:
        raise ParameterError(what, f"{{name}}: give at least one of {', '.join(valid)}")
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ParameterError(
            what, f"{{name}}: unknown {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
        )
    return list(dict.fromkeys(names))


def parse_feature_specs(value: str | Sequence[str]) -> list[str]:
    """Feature settings such as ``"hog,lbp,hog+lbp"``, each checked; lists the valid names."""
    from ..features import FEATURES, parse_feature_spec

    specs = [s.strip() for s in value.split(",")] if isinstance(value, str) else list(value)
    specs = [s for s in specs if s]
    if not specs:
        raise ParameterError("features", f"{{name}}: give at least one of {', '.join(FEATURES)}")
    for spec in specs:
        try:
            parse_feature_spec(spec)
        except ValueError as exc:
            raise ParameterError("features", f"{{name}}: {exc}") from None
    return list(dict.fromkeys(specs))


def _make_transformer(
    spec: str, feature_params: Mapping[str, Mapping], n_jobs=None
) -> BaseEstimator:
    from ..features import make_features, parse_feature_spec

    names = parse_feature_spec(spec)
    params = {n: dict(feature_params[n]) for n in names if n in feature_params}
    try:
        return make_features(spec, params, n_jobs=n_jobs)
    except (TypeError, ValueError) as exc:
        raise FerClassicError(f"feature parameters of {spec!r}: {exc}") from None


def _feature_dimension(transformer: BaseEstimator, image_shape: tuple[int, int], spec: str) -> int:
    sample = np.zeros((1, *image_shape), dtype=np.uint8)
    try:
        fitted = transformer.fit(sample)
        try:
            return len(fitted.get_feature_names_out())
        except AttributeError:  # an extractor of the user's without feature names
            return int(np.asarray(fitted.transform(sample)).shape[1])
    except ValueError as exc:
        raise FerClassicError(f"feature parameters of {spec!r}: {exc}") from None


def resolve_grids(
    specs: Sequence[str],
    models: Sequence[str],
    user_grids: Mapping[str, Grid],
    feature_params: Mapping[str, Mapping],
    image_shape: tuple[int, int],
    n_train: int,
) -> tuple[dict[str, dict[str, Grid]], dict[str, int]]:
    """The grid of every (feature setting, model), and each setting's dimension."""
    grids: dict[str, dict[str, Grid]] = {}
    dims: dict[str, int] = {}
    for spec in specs:
        dims[spec] = _feature_dimension(_make_transformer(spec, feature_params), image_shape, spec)
        grids[spec] = {
            model: user_grids.get(model) or default_grid(spec, model, dims[spec], n_train)
            for model in models
        }
    return grids, dims


def check_settings(
    candidates: Sequence[Candidate], search: Search, dims: Mapping[str, int]
) -> None:
    """Refuse impossible settings before any work: too many neighbours or PCA components."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(c.group, []).append(c)
    for (feature, model), group in groups.items():
        n_rows = search.rounds(group)[0]
        for c in group:
            k = c.params.get("n_neighbors")
            if model == "knn" and k is not None and k > n_rows:
                raise FerClassicError(
                    f"knn n_neighbors={k} is larger than the {n_rows} training images it "
                    f"would be fitted on (features {feature!r})"
                )
            pca = c.params.get("pca")
            if pca is not None and pca > min(dims[feature], search.n_train):
                raise FerClassicError(
                    f"{model} pca={pca} exceeds the {dims[feature]} features of {feature!r} "
                    f"or the {search.n_train} training images"
                )


def _compute_features(
    spec: str,
    feature_params: Mapping[str, Mapping],
    splits: Sequence[Any],
    cache_dir: Path | None,
    n_jobs: int | None,
) -> list[np.ndarray]:
    from ..features import cached_transform

    transformer = _make_transformer(spec, feature_params, n_jobs=n_jobs)
    return [
        cached_transform(transformer, split.images, split.fingerprint, cache_dir)
        for split in splits
    ]


def grid_search(
    dataset: FERDataset,
    *,
    features: str | Sequence[str] = ("pixels", "hist", "hog", "lbp", "gabor", "landmarks"),
    models: str | Sequence[str] = MODELS,
    grid: str | Path | Mapping[str, Any] | None = None,
    out: str | Path = "runs/grid-search",
    cv: int | None = None,
    search: str = "grid",
    factor: int = 3,
    refit: str = "train",
    seed: int = 0,
    n_jobs: int | None = 1,
    backend: str = "loky",
    scheduler: Any = None,
    force: bool = False,
    cache_dir: str | Path | None = None,
    progress: bool = False,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> GridSearchResult:
    """Search classifiers over features, refit the best, report it on the test split.

    Parameters
    ----------
    dataset : FERDataset
        From :func:`fer_classic.data.load_dataset`.
    features : str or list of str
        Feature settings, comma-separated or as a list: ``"hog,lbp,hog+lbp"``.
    models : str or list of str
        Among ``knn``, ``svm``, ``rf``.
    grid : path to a TOML grid file, or the same structure as a dict, optional
        Replaces the default grid of each model it names and sets extractor
        parameters (:mod:`fer_classic.classical.grids`).
    out : path
        The run directory; rerunning the same configuration resumes it.
    cv : int, optional
        Select by stratified ``cv``-fold on the training split instead of the
        validation split.
    search : {"grid", "halving"}
    factor : int
        Successive halving's factor.
    refit : {"train", "train+val"}
        What the best candidate is refitted on before the test.
    seed : int
        Seeds folds, halving subsets, PCA, LinearSVC and the random forest.
    n_jobs : int or None
        Candidates run in parallel on this many local workers (-1: every core).
    backend : {"loky", "dask"}; scheduler : Dask scheduler address or Client
    force : bool
        Start ``out`` over when it holds a run of another configuration.
    cache_dir : path, optional
        Where features are cached (default: ``<data cache>/features``).
    progress : bool
        Show a progress bar (counts and ETA) on stderr.
    on_record : callable, optional
        Called with each finished candidate's record after it is saved; an
        exception from it stops the search (the records so far stay saved).

    Returns
    -------
    GridSearchResult
    """
    if search not in SEARCHES:
        raise ParameterError("search", f"unknown {{name}} {search!r}; valid: {', '.join(SEARCHES)}")
    if refit not in REFITS:
        raise ParameterError("refit", f"unknown {{name}} {refit!r}; valid: {', '.join(REFITS)}")
    try:
        check_n_jobs(n_jobs)
    except ValueError:
        raise ParameterError("n_jobs", f"{{name}} must be {N_JOBS_RULE}; got {n_jobs!r}") from None
    specs = parse_feature_specs(features)
    model_names = parse_names(models, MODELS, "models")
    if isinstance(grid, (str, Path)):
        user_grids, feature_params = parse_grid_document(load_grid_file(grid), where=str(grid))
    else:
        user_grids, feature_params = parse_grid_document(grid or {}, where="grid")
    image_shape = dataset.train.images.shape[1:]
    grids, dims = resolve_grids(
        specs, model_names, user_grids, feature_params, image_shape, len(dataset.train)
    )
    candidates = make_candidates(
        {s: {m: expand_grid(g) for m, g in per_model.items()} for s, per_model in grids.items()}
    )
    searcher = Search(
        candidates,
        dataset.train.labels,
        dataset.val.labels,
        cv=cv,
        search=search,
        factor=factor,
        seed=seed,
    )
    check_settings(candidates, searcher, dims)
    feature_cache = None
    if cache_dir is not None:
        feature_cache = check_writable_dir(cache_dir) / "features"

    config = {
        "features": specs,
        "feature_params": {k: dict(v) for k, v in sorted(feature_params.items())},
        "models": model_names,
        "grids": grids,
        "protocol": {
            "cv": cv,
            "search": search,
            "factor": factor if search == "halving" else None,
            "refit": refit,
            "scoring": "accuracy",
        },
        "seed": seed,
        "data": dataset.fingerprint,
    }
    with run_lock(out):
        run = ClassicalRun(out)
        manifest = make_manifest("classical", seed=seed, data=dataset.describe())
        resumed = run.open(config, manifest, force)
        done = run.records() if resumed else []
        if resumed and run.is_complete:
            metrics = run.metrics()
            return GridSearchResult(run.path, done, metrics["best"], metrics, True, len(done))

        start = time.perf_counter()
        matrices = {}
        for spec in specs:
            X_train, X_val = _compute_features(
                spec, feature_params, (dataset.train, dataset.val), feature_cache, n_jobs
            )
            matrices[spec] = FeatureData(X_train, X_val)

        from tqdm.auto import tqdm

        bar = tqdm(
            total=searcher.n_evaluations(),
            initial=len(done),
            desc="candidates",
            unit="cand",
            disable=not progress,
            dynamic_ncols=True,
        )

        def record(rec: dict[str, Any]) -> None:
            run.append(rec)
            bar.update(1)
            if on_record is not None:
                on_record(rec)

        try:
            with execution_backend(backend, scheduler, n_jobs) as workers:
                records = searcher.run(matrices, done=done, on_record=record, n_jobs=workers)
        finally:
            bar.close()
        search_seconds = time.perf_counter() - start
        best = best_record(records)
        metrics = _refit_and_report(
            run, dataset, best, feature_params, feature_cache, matrices, refit, seed, n_jobs
        )
        metrics["search_seconds"] = round(search_seconds, 1)
        run.save_metrics(metrics)
        return GridSearchResult(run.path, records, best, metrics, resumed, len(done))


def _refit_and_report(
    run: ClassicalRun,
    dataset: FERDataset,
    best: Mapping[str, Any],
    feature_params: Mapping[str, Mapping],
    feature_cache: Path | None,
    matrices: Mapping[str, FeatureData],
    refit: str,
    seed: int,
    n_jobs: int | None,
) -> dict[str, Any]:
    """Refit ``best``, predict the test split once, write model, predictions and PNG."""
    spec, model, params = best["feature"], best["model"], best["params"]
    data = matrices[spec]
    X, y = data.X_train, dataset.train.labels
    if refit == "train+val":
        X = np.concatenate([X, data.X_val])
        y = np.concatenate([y, dataset.val.labels])
    (X_test,) = _compute_features(spec, feature_params, (dataset.test,), feature_cache, n_jobs)
    pipeline = make_model_pipeline(model, params, seed)
    if "n_jobs" in pipeline[-1].get_params():
        pipeline[-1].set_params(n_jobs=n_jobs)
    start = time.perf_counter()
    pipeline.fit(X, y)
    refit_seconds = time.perf_counter() - start
    predicted = pipeline.predict(X_test)
    proba = pipeline.predict_proba(X_test) if hasattr(pipeline, "predict_proba") else None
    if "n_jobs" in pipeline[-1].get_params():
        pipeline[-1].set_params(n_jobs=None)

    transformer = _make_transformer(spec, feature_params)
    transformer.fit(dataset.test.images[:1])
    run.save_model(with_features(transformer, pipeline))
    names = list(dataset.class_names)
    run.save_predictions(dataset.test.labels, predicted, names, proba)
    metrics = classification_metrics(dataset.test.labels, predicted, names)
    save_confusion_png(
        metrics,
        run.confusion_png,
        title=f"{spec} + {model}: test accuracy {metrics['accuracy']:.3f}",
    )
    metrics.update(
        {
            "best": dict(best),
            "refit_on": refit,
            "refit_seconds": round(refit_seconds, 2),
            "n_train": len(y),
            "n_test": len(dataset.test.labels),
            "test_split": dataset.test.source_name,
        }
    )
    return metrics
