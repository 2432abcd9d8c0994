"""fer-classic: classical facial-expression-recognition baselines against a small CNN.

Subpackages, in the order data flows through them:

- :mod:`fer_classic.data`: FER-2013 and image-folder loaders, splits, the synthetic default.
- :mod:`fer_classic.features`: the six feature extractors, as functions and transformers.
- :mod:`fer_classic.classical`: KNN, SVM and random-forest pipelines and their grid search.
- :mod:`fer_classic.cnn`: the customized SqueezeNet, its training and TFLite export.
- :mod:`fer_classic.evaluation`: accuracy, macro-F1, per-class scores and confusion matrix
  of any model.
- :mod:`fer_classic.reports`: comparison tables and plots.
- :mod:`fer_classic.runs`: the run-directory layout every command writes and reads.
"""

__version__ = "0.1.0"
