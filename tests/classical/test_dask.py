"""The same search on a Dask cluster gives the same results as local workers."""

from __future__ import annotations

import pytest

from fer_classic.classical import grid_search

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")


@pytest.mark.slow
def test_dask_local_cluster_equals_local_backend(small_dataset, tiny_grid, tmp_path):
    kwargs = {"features": "hog", "models": "knn,svm,rf", "grid": tiny_grid}
    local = grid_search(small_dataset, out=tmp_path / "local", n_jobs=2, **kwargs)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = grid_search(
            small_dataset,
            out=tmp_path / "dask",
            backend="dask",
            scheduler=cluster.scheduler_address,
            **kwargs,
        )
    assert sorted((r["key"], r["score"]) for r in remote.records) == sorted(
        (r["key"], r["score"]) for r in local.records
    )
    assert remote.best["key"] == local.best["key"]
    assert remote.metrics["accuracy"] == local.metrics["accuracy"]


def test_dask_needs_a_scheduler(small_dataset, tmp_path):
    from fer_classic.errors import FerClassicError

    with pytest.raises(FerClassicError, match="backend dask needs scheduler"):
        grid_search(small_dataset, features="hog", models="knn", backend="dask", out=tmp_path / "x")
