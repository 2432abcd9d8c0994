"""The settings of a grid search, :class:`SearchConfig`: each one's default and its checks.

``fer-classic grid-search`` derives its options from these fields: the option of
``n_jobs`` is ``--n-jobs``, with the field's default and its ``metadata``'s
``"help"`` (and ``"choices"``, where the values are a fixed few).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .backends import BACKENDS, N_JOBS_RULE, check_backend, check_n_jobs
from .registry import CLASSIFIERS, MODELS
from .search import SEARCHES

#: What the best candidate is refitted on before the test.
REFITS = ("train", "train+val")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_names(value: str | Sequence[str], valid: Sequence[str], what: str) -> tuple[str, ...]:
    """``"a,b"`` or ``["a", "b"]`` as a tuple, each name checked against ``valid``.

    Raises
    ------
    ParameterError
        Naming ``what``: no name, or a name not in ``valid`` (listed).
    """
    names = [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)
    names = [n for n in names if n]
    if not names:
        raise ParameterError(what, f"{{name}}: give at least one of {', '.join(valid)}")
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ParameterError(
            what, f"{{name}}: unknown {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
        )
    return tuple(dict.fromkeys(names))


def parse_feature_specs(value: str | Sequence[str]) -> tuple[str, ...]:
    """Feature settings such as ``"hog,lbp,hog+lbp"``, each checked; lists the valid names.

    Raises
    ------
    ParameterError
        Naming ``features``: no setting, or one naming an unknown extractor.
    """
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
    return tuple(dict.fromkeys(specs))


@dataclass(frozen=True)
class SearchConfig:
    """What a grid search does and where: the settings of :func:`.grid_search`.

    Every value is checked when the configuration is made; a bad one raises
    :class:`~fer_classic.errors.ParameterError` naming its field.

    Parameters
    ----------
    features : str or sequence of str
        Feature settings, comma-separated or as a sequence: ``"hog,lbp,hog+lbp"``
        ('+' concatenates extractors); stored as a tuple.
    models : str or sequence of str
        Registered classifiers (:mod:`fer_classic.classical.registry`),
        comma-separated or as a sequence; stored as a tuple.
    grid : path to a TOML grid file, or the same structure as a mapping, optional
        Replaces the default grid of each model it names and sets extractor
        parameters (:mod:`fer_classic.classical.grids`).
    cv : int, optional
        Select by stratified ``cv``-fold on the training split instead of the
        validation split.
    search : {"grid", "halving"}
        Every candidate on every training row, or successive halving.
    factor : int
        Successive halving's factor, at least 2.
    refit : {"train", "train+val"}
        What the best candidate is refitted on before the test.
    seed : int
        Seeds folds, halving subsets, PCA and every classifier's ``random_state``.
    out : path
        The run directory; the same configuration resumes it.
    force : bool
        Start ``out`` over when it holds a run of another configuration.
    n_jobs : int or None
        Candidates run in parallel on this many local workers (-1: every core).
    backend : {"loky", "dask"}
        Local worker processes or a Dask cluster.
    scheduler : str or distributed.Client, optional
        The Dask scheduler's address (``tcp://host:8786``) or a connected client;
        needed by ``backend="dask"``.
    progress : bool or None
        Show a progress bar (counts and ETA) on stderr; None: when stderr is a
        terminal.

    Examples
    --------
    >>> from fer_classic.classical import SearchConfig
    >>> SearchConfig(features="hog,hog+lbp", models="svm").features
    ('hog', 'hog+lbp')
    """

    features: tuple[str, ...] = field(
        default=("pixels", "hist", "hog", "lbp", "gabor", "landmarks"),
        metadata={
            "help": "comma-separated feature settings; '+' concatenates extractors, e.g. "
            "hog,lbp,hog+lbp+landmarks"
        },
    )
    models: tuple[str, ...] = field(
        default=MODELS, metadata={"help": "comma-separated classifiers"}
    )
    grid: Path | Mapping[str, Any] | None = field(
        default=None, metadata={"help": "grid file replacing the default grid per model"}
    )
    cv: int | None = field(
        default=None, metadata={"help": "select by stratified K-fold on the training split"}
    )
    search: str = field(
        default="grid",
        metadata={"help": "exhaustive grid or successive halving", "choices": SEARCHES},
    )
    factor: int = field(default=3, metadata={"help": "successive halving's factor"})
    refit: str = field(
        default="train",
        metadata={
            "help": "what the best candidate is refitted on before the test",
            "choices": REFITS,
        },
    )
    seed: int = field(
        default=0, metadata={"help": "seed of folds, halving subsets, PCA and the classifiers"}
    )
    out: Path = field(
        default=Path("runs/grid-search"),
        metadata={"help": "run directory; the same configuration resumes it"},
    )
    force: bool = field(
        default=False,
        metadata={"help": "start the run directory over if it holds another configuration"},
    )
    n_jobs: int | None = field(default=1, metadata={"help": "parallel workers; -1 uses every core"})
    backend: str = field(
        default="loky",
        metadata={"help": "local worker processes or a Dask cluster", "choices": BACKENDS},
    )
    scheduler: Any = field(
        default=None, metadata={"help": "Dask scheduler address, e.g. tcp://host:8786"}
    )
    progress: bool | None = field(
        default=None,
        metadata={
            "help": "progress bar (counts and ETA) on stderr, by default when it is a terminal"
        },
    )

    def __post_init__(self) -> None:
        def store(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        store("features", parse_feature_specs(self.features))
        store("models", parse_names(self.models, list(CLASSIFIERS), "models"))
        if isinstance(self.grid, str):
            store("grid", Path(self.grid))
        elif not (self.grid is None or isinstance(self.grid, (Path, Mapping))):
            raise ParameterError(
                "grid", f"{{name}} must be a grid file's path or a mapping; got {self.grid!r}"
            )
        if self.cv is not None and not (_is_int(self.cv) and self.cv >= 2):
            raise ParameterError("cv", f"{{name}} must be a number of folds >= 2; got {self.cv!r}")
        if self.search not in SEARCHES:
            raise ParameterError(
                "search", f"unknown {{name}} {self.search!r}; valid: {', '.join(SEARCHES)}"
            )
        if not (_is_int(self.factor) and self.factor >= 2):
            raise ParameterError(
                "factor", f"{{name}} must be a whole number >= 2; got {self.factor!r}"
            )
        if self.refit not in REFITS:
            raise ParameterError(
                "refit", f"unknown {{name}} {self.refit!r}; valid: {', '.join(REFITS)}"
            )
        if not _is_int(self.seed):
            raise ParameterError("seed", f"{{name}} must be a whole number; got {self.seed!r}")
        store("out", Path(self.out))
        try:
            check_n_jobs(self.n_jobs)
        except ValueError:
            raise ParameterError(
                "n_jobs", f"{{name}} must be {N_JOBS_RULE}; got {self.n_jobs!r}"
            ) from None
        check_backend(self.backend, self.scheduler)
        if self.progress not in (None, True, False):
            raise ParameterError(
                "progress", f"{{name}} must be True, False or None; got {self.progress!r}"
            )
