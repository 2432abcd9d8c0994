"""Classical classifiers on handcrafted features: pipelines, grids, a resumable search.

- :func:`grid_search`: the one call behind ``fer-classic grid-search``, with its
  settings in a :class:`SearchConfig` (:mod:`~fer_classic.classical.config`);
- :func:`register_classifier`: a classifier of one's own, searched by name
  (:mod:`~fer_classic.classical.registry`, which lists the built-in ones);
- :mod:`~fer_classic.classical.pipelines`: features -> scaling -> PCA -> classifier;
- :mod:`~fer_classic.classical.grids`: default grids and TOML grid files;
- :mod:`~fer_classic.classical.search`: candidates, folds, successive halving,
  parallel execution and resume over precomputed features;
- :mod:`~fer_classic.classical.candidates`: scoring one candidate (or a group of
  KNN candidates sharing one neighbour query) on precomputed folds;
- :mod:`~fer_classic.classical.neighbors`: exact, fast Minkowski k-NN;
- :mod:`~fer_classic.classical.kernels`: histogram kernels, their weighted
  sums, and an SVM under them (``ksvm``);
- :mod:`~fer_classic.classical.local`: local learning, an SVM per test image
  trained on its nearest training images (``local``);
- :mod:`~fer_classic.classical.backends`: joblib's local workers or a Dask cluster;
- :mod:`~fer_classic.classical.rundir`: the run directory's layout.

The test scores of the refitted best candidate are those of every model,
:mod:`fer_classic.evaluation`.
"""

from .config import REFITS, SearchConfig
from .grid_search import GridSearchResult, grid_search
from .grids import default_grid, load_grid_file, parse_grid_document
from .kernels import KernelSVC, intersection_kernel, kernel_matrix
from .local import LocalSVC
from .neighbors import KNNClassifier, minkowski_kneighbors
from .pipelines import make_classifier, make_model_pipeline
from .registry import CLASSIFIERS, MODELS, RegisteredClassifier, register_classifier
from .search import SEARCHES, Candidate, Search

__all__ = [
    "CLASSIFIERS",
    "MODELS",
    "REFITS",
    "SEARCHES",
    "Candidate",
    "GridSearchResult",
    "KNNClassifier",
    "KernelSVC",
    "LocalSVC",
    "RegisteredClassifier",
    "Search",
    "SearchConfig",
    "default_grid",
    "grid_search",
    "intersection_kernel",
    "kernel_matrix",
    "load_grid_file",
    "make_classifier",
    "make_model_pipeline",
    "minkowski_kneighbors",
    "parse_grid_document",
    "register_classifier",
]
