"""Classical classifiers on handcrafted features: pipelines, grids, a resumable search.

- :func:`grid_search`: the one call behind ``fer-classic grid-search``;
- :mod:`~fer_classic.classical.pipelines`: features -> scaling -> PCA -> KNN, SVM or
  random forest;
- :mod:`~fer_classic.classical.grids`: default grids and TOML grid files;
- :mod:`~fer_classic.classical.search`: candidates, folds, successive halving,
  parallel execution and resume over precomputed features;
- :mod:`~fer_classic.classical.neighbors`: exact, fast Minkowski k-NN;
- :mod:`~fer_classic.classical.backends`: joblib's local workers or a Dask cluster;
- :mod:`~fer_classic.classical.rundir`: the run directory's layout;
- :mod:`~fer_classic.classical.metrics`: accuracy, macro-F1, per-class report,
  confusion matrix.
"""

from .grid_search import REFITS, GridSearchResult, grid_search
from .grids import default_grid, load_grid_file, parse_grid_document
from .neighbors import KNNClassifier, minkowski_kneighbors
from .pipelines import MODELS, make_classifier, make_model_pipeline
from .search import SEARCHES, Candidate, Search

__all__ = [
    "MODELS",
    "REFITS",
    "SEARCHES",
    "Candidate",
    "GridSearchResult",
    "KNNClassifier",
    "Search",
    "default_grid",
    "grid_search",
    "load_grid_file",
    "make_classifier",
    "make_model_pipeline",
    "minkowski_kneighbors",
    "parse_grid_document",
]
