"""Where candidates run: local worker processes (joblib's loky) or a Dask cluster.

The search itself only calls ``joblib.Parallel``; :func:`execution_backend` sets
which backend those calls use. Dask is an optional extra
(``pip install fer-classic[distributed]``) and is imported only when asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from joblib import parallel_config

from ..errors import FerClassicError, ParameterError

BACKENDS = ("loky", "dask")


#: What a number of workers (``n_jobs``) may be.
N_JOBS_RULE = "a positive number of workers, or -1 for every core"


def check_n_jobs(n_jobs: object, name: str = "n_jobs") -> int | None:
    """Return ``n_jobs`` if it is a number of workers: None, a positive int, or -1.

    Raises
    ------
    ValueError
        Anything else; the message names ``name``.
    """
    valid = n_jobs is None or (
        isinstance(n_jobs, int) and not isinstance(n_jobs, bool) and (n_jobs >= 1 or n_jobs == -1)
    )
    if not valid:
        raise ValueError(f"{name} must be {N_JOBS_RULE}; got {n_jobs!r}")
    return n_jobs  # type: ignore[return-value]


def check_backend(backend: object, scheduler: object = None) -> None:
    """Refuse a ``backend`` that is not one of :data:`BACKENDS`, and Dask without a scheduler.

    Raises
    ------
    ParameterError
        Naming ``backend`` or ``scheduler``.
    """
    if backend not in BACKENDS:
        raise ParameterError(
            "backend", f"unknown {{name}} {backend!r}; valid: {', '.join(BACKENDS)}"
        )
    if backend == "dask" and scheduler is None:
        raise ParameterError("scheduler", "backend dask needs {name} (tcp://host:8786)")


@contextlib.contextmanager
def execution_backend(
    backend: str = "loky", scheduler: str | None = None, n_jobs: int | None = 1
) -> Iterator[int | None]:
    """Run the ``joblib.Parallel`` calls inside this block on ``backend``.

    Parameters
    ----------
    backend : {"loky", "dask"}
    scheduler : str, optional
        Dask only: the scheduler's address (``tcp://host:8786``), or a
        ``distributed.Client`` already connected.
    n_jobs : int or None
        Local workers; with Dask, -1 (every worker thread of the cluster).

    Yields the ``n_jobs`` to pass to ``Parallel``.
    """
    check_backend(backend, scheduler)
    if backend == "loky":
        with parallel_config(backend="loky"):
            yield n_jobs
        return
    try:
        import distributed
    except ImportError:
        raise FerClassicError(
            "--backend dask needs dask.distributed: pip install 'fer-classic[distributed]'"
        ) from None
    if isinstance(scheduler, distributed.Client):
        with parallel_config(backend="dask"):
            yield -1
        return
    try:
        client = distributed.Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ParameterError("scheduler", f"{{name}} {scheduler}: cannot connect ({exc})") from None
    try:
        with client.as_current(), parallel_config(backend="dask"):
            yield -1
    finally:
        client.close()
