"""``grid_search``: features, search, refit of the best candidate, test report, run directory.

The protocol, canonical by default: candidates are fitted on the training split
and scored on the validation split (FER-2013: Training and PublicTest); the best
one is refitted (on training, or training + validation with
``refit="train+val"``) and scored once on the test split (PrivateTest).
``cv=K`` selects by stratified K-fold on the training split instead, and
``search="halving"`` by successive halving (:mod:`fer_classic.classical.search`).

Features are computed once per extractor setting and split through the
feature cache (:func:`fer_classic.features.cached_transform`), never per
candidate or fold. An extractor that learns from data (``bovw``'s visual
vocabulary, learnt without labels) learns from the training split only, once
(:func:`fer_classic.features.cached_fit`): the validation and test features,
every fold of ``cv=K`` and the refit on ``train+val`` use that one fit, and so
does the saved model. Everything is written to a run directory
(:mod:`fer_classic.classical.rundir`) as it happens, so an interrupted search
resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from ..data import FERDataset
from ..errors import FerClassicError
from ..evaluation import classification_metrics, save_confusion_png
from ..files import check_writable_dir
from ..runs import make_manifest, run_lock
from .backends import execution_backend
from .config import SearchConfig
from .grids import Grid, default_grid, expand_grid, load_grid_file, parse_grid_document
from .pipelines import make_model_pipeline, with_features
from .rundir import ClassicalRun
from .search import Candidate, FeatureData, Search, best_record, make_candidates


@dataclass
class GridSearchResult:
    """What a grid search leaves: its records, the chosen candidate and its test scores."""

    run_dir: Path
    records: list[dict[str, Any]]
    best: dict[str, Any]
    metrics: dict[str, Any]
    resumed: bool
    n_resumed: int


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
    from ..features import feature_dimension

    try:
        return feature_dimension(transformer, image_shape)
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
    train: Any,
) -> list[np.ndarray]:
    """Features of each split; an extractor that learns from data learns from ``train``."""
    from ..features import cached_transform

    transformer = _make_transformer(spec, feature_params, n_jobs=n_jobs)
    return [
        cached_transform(
            transformer,
            split.images,
            split.fingerprint,
            cache_dir,
            fit_images=train.images,
            fit_fingerprint=train.fingerprint,
        )
        for split in splits
    ]


def grid_search(
    dataset: FERDataset,
    config: SearchConfig | None = None,
    *,
    cache_dir: str | Path | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    **settings: Any,
) -> GridSearchResult:
    """Search classifiers over features, refit the best, report it on the test split.

    Parameters
    ----------
    dataset : FERDataset
        From :func:`fer_classic.data.load_dataset`.
    config : SearchConfig, optional
        What is searched and where; default ``SearchConfig()``: the six built-in
        extractors and the built-in classifiers, into ``runs/grid-search``.
    cache_dir : path, optional
        Where features are cached (default: ``<data cache>/features``).
    on_record : callable, optional
        Called with each finished candidate's record after it is saved; an
        exception from it stops the search (the records so far stay saved).
    **settings
        Fields of :class:`SearchConfig`, replacing those of ``config``:
        ``grid_search(dataset, features="hog,lbp", models="svm", n_jobs=2)``.

    Returns
    -------
    GridSearchResult

    Raises
    ------
    ParameterError
        A setting has a value it cannot take; the message names the setting.
    """
    config = SearchConfig(**settings) if config is None else replace(config, **settings)
    if isinstance(config.grid, Path):
        document, where = load_grid_file(config.grid), str(config.grid)
    else:
        document, where = config.grid or {}, "grid"
    user_grids, feature_params = parse_grid_document(document, where=where)
    specs, model_names = list(config.features), list(config.models)
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
        cv=config.cv,
        search=config.search,
        factor=config.factor,
        seed=config.seed,
    )
    check_settings(candidates, searcher, dims)
    feature_cache = None
    if cache_dir is not None:
        feature_cache = check_writable_dir(cache_dir) / "features"

    run_config = {
        "features": specs,
        "feature_params": {k: dict(v) for k, v in sorted(feature_params.items())},
        "models": model_names,
        "grids": grids,
        "protocol": {
            "cv": config.cv,
            "search": config.search,
            "factor": config.factor if config.search == "halving" else None,
            "refit": config.refit,
            "scoring": "accuracy",
        },
        "seed": config.seed,
        "data": dataset.fingerprint,
    }
    n_jobs = config.n_jobs
    with run_lock(config.out):
        run = ClassicalRun(config.out)
        manifest = make_manifest("classical", seed=config.seed, data=dataset.describe())
        resumed = run.open(run_config, manifest, config.force)
        done = run.records() if resumed else []
        if resumed and run.is_complete:
            metrics = run.metrics()
            return GridSearchResult(run.path, done, metrics["best"], metrics, True, len(done))

        start = time.perf_counter()
        matrices = {}
        for spec in specs:
            X_train, X_val = _compute_features(
                spec,
                feature_params,
                (dataset.train, dataset.val),
                feature_cache,
                n_jobs,
                dataset.train,
            )
            matrices[spec] = FeatureData(X_train, X_val)

        from tqdm.auto import tqdm

        bar = tqdm(
            total=searcher.n_evaluations(),
            initial=len(done),
            desc="candidates",
            unit="cand",
            disable=None if config.progress is None else not config.progress,
            dynamic_ncols=True,
        )

        def record(rec: dict[str, Any]) -> None:
            run.append(rec)
            bar.update(1)
            if on_record is not None:
                on_record(rec)

        try:
            with execution_backend(config.backend, config.scheduler, n_jobs) as workers:
                records = searcher.run(matrices, done=done, on_record=record, n_jobs=workers)
        finally:
            bar.close()
        search_seconds = time.perf_counter() - start
        best = best_record(records)
        metrics = _refit_and_report(
            run,
            dataset,
            best,
            feature_params,
            feature_cache,
            matrices,
            config.refit,
            config.seed,
            n_jobs,
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
    from ..features import cached_fit

    spec, model, params = best["feature"], best["model"], best["params"]
    data = matrices[spec]
    X, y = data.X_train, dataset.train.labels
    if refit == "train+val":
        X = np.concatenate([X, data.X_val])
        y = np.concatenate([y, dataset.val.labels])
    (X_test,) = _compute_features(
        spec, feature_params, (dataset.test,), feature_cache, n_jobs, dataset.train
    )
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

    # Fitted as for the features the model was trained on (bovw: its cached vocabulary).
    transformer = cached_fit(
        _make_transformer(spec, feature_params),
        dataset.train.images,
        dataset.train.fingerprint,
        feature_cache,
    )
    run.save_model(with_features(transformer, pipeline))
    names = list(dataset.class_names)
    run.save_predictions(dataset.test.indices, dataset.test.labels, predicted, names, proba)
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
