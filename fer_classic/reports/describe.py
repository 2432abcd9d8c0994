"""What a model is, in one line: features and classifier, or architecture."""

from __future__ import annotations

import inspect
from typing import Any

# Parameters worth naming when a classifier's repr is long.
_KEY_PARAMS = ("kernel", "C", "gamma", "n_neighbors", "weights", "p", "metric",
               "n_estimators", "max_depth", "max_features", "n_components")  # fmt: skip


def describe_estimator(est: Any) -> str:
    """``SVC(C=10, kernel='rbf')``: the class and its parameters that differ from defaults."""
    try:
        changed = _changed_params(est)
    except Exception:  # a third-party estimator without get_params
        return type(est).__name__
    shown = {k: v for k, v in changed.items() if k in _KEY_PARAMS} if len(changed) > 4 else changed
    args = ", ".join(f"{k}={v!r}" for k, v in shown.items() if not hasattr(v, "get_params"))
    return f"{type(est).__name__}({args})"


def _changed_params(est: Any) -> dict[str, Any]:
    params = est.get_params(deep=False)
    signature = inspect.signature(type(est).__init__)
    changed = {}
    for name, value in params.items():
        default = signature.parameters.get(name)
        if default is None or default.default is inspect.Parameter.empty:
            changed[name] = value
            continue
        try:
            same = bool(value == default.default)
        except Exception:  # arrays compare element-wise
            same = False
        if not same:
            changed[name] = value
    return changed


def describe_pipeline(estimator: Any) -> str:
    """The steps of a fitted pipeline, ``HogFeatures(...) + StandardScaler() + SVC(...)``."""
    if not hasattr(estimator, "steps"):
        return describe_estimator(estimator)
    steps = [s for _, s in estimator.steps if s is not None and s != "passthrough"]
    return " + ".join(describe_estimator(s) for s in steps)


def summarize_pipeline(estimator: Any) -> str:
    """Features and classifier in a few words: ``hog+lbp+landmarks / PCA / SVC``."""
    if not hasattr(estimator, "steps"):
        return type(estimator).__name__
    steps = [s for _, s in estimator.steps if s is not None and s != "passthrough"]
    words = [_features_name(steps[0]), *(_step_name(s) for s in steps[1:])]
    return " / ".join(w for w in words if w)


def _features_name(step: Any) -> str:
    if hasattr(step, "transformer_list"):  # FeatureUnion of extractors
        return "+".join(name for name, _ in step.transformer_list)
    return _step_name(step)


def _step_name(step: Any) -> str:
    from ..features import FEATURES

    names = {cls: name for name, cls in FEATURES.items()}
    if type(step) in names:
        return names[type(step)]
    if type(step).__name__ == "StandardScaler":
        return ""  # scaling is a detail of the pipeline, in its full description
    return type(step).__name__


def describe_cnn(config: dict[str, Any], metrics: dict[str, Any] | None = None) -> str:
    """A CNN run's architecture, input and epochs from its ``config.json`` and ``metrics.json``."""
    architecture = config.get("architecture") or "CNN"
    details = []
    if "channels" in config:
        details.append(f"{config['channels']} input channel(s)")
    done = (metrics or {}).get("epochs_done")
    if "epochs" in config:
        if isinstance(done, int) and done < config["epochs"]:
            details.append(f"{done} of {config['epochs']} epochs")
        else:
            details.append(f"{config['epochs']} epochs")
    if config.get("init_from"):
        details.append("fine-tuned from a trained run")
    return f"{architecture} ({', '.join(details)})" if details else str(architecture)
