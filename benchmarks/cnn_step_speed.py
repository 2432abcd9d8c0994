"""Which thread counts, oneDNN, XLA, layout or Keras backend make a training step faster here.

Usage::

    python benchmarks/cnn_step_speed.py [--arch squeezenet|compact] [--batch-size B]
        [--steps S] [--repeats R] [--variants default,xla,...] [--no-augment]
        [--python-for-backend jax=/tmp/venv-jax/bin/python ...] [--out FILE.md|FILE.csv]

Times the training step of ``cnn_training_cost.py``: the model that
``fer-classic train-cnn --arch ARCH`` fits, augmentation on, on one batch of B
random images (default: the recipe's batch size) with the recipe's class weights,
from the same initial weights. Each variant (``--list`` prints them) runs in a
process of its own, so that its environment (``TF_ENABLE_ONEDNN_OPTS``,
``TF_NUM_INTRAOP_THREADS``, ``KERAS_BACKEND``, ...) is set before TensorFlow
starts; a process builds the model, takes two warm-up steps, then times S steps
one by one (default 5). The variants take turns, R rounds of one process each
(A B C A B C ..., default 3), so that a change of the machine's load hits them
alike; the table gives each variant's median over all its timed steps, the range
of its rounds' medians, and its speed-up over ``default`` (TensorFlow as
``train-cnn`` runs it), which is always measured.

"Same results" is checked in each variant's first round, after its timing, from
the initial weights of ``default`` (written by its first process, read by all):

- gradient: one step of the network with augmentation off and dropout 0 (no
  random op, so that every backend computes the same function), by SGD at
  learning rate 1 from zero momentum, whose change of the weights is a fixed
  multiple of the gradient. The table gives the relative difference of that
  change from ``default``'s, ``|g - g_default| / |g_default|``, and the
  relative difference of the step's loss. A faithful variant differs by
  round-off only (oneDNN off, XLA and other backends order sums differently),
  but a network's gradient can be sensitive to round-off (a ReLU whose input is
  near 0 switches): ``default`` measures that sensitivity as the change of its
  gradient and loss when its images move by a relative 1e-6, about eight
  float32 round-offs. A variant gives the same results when both its
  differences are at most ``--tolerance`` times those (default 3);
- training step: the loss of the last of ``--check-steps`` steps (default 3) of
  the step as timed, at the recipe's learning rate without its warm-up, as its
  absolute difference from ``default``'s. Its augmentation and dropout come
  from the backend's random generators, seeded alike: TensorFlow variants draw
  the same numbers, XLA and other backends draw others; and Adam's first steps
  move each weight by about the learning rate whatever the size of its
  gradient, so a round-off in a gradient near 0 can turn a step around. The
  difference shows how far the runs part, not whether they are equal.

A variant that cannot run (a backend that is not importable, an op without an
XLA kernel, a layout the CPU kernels lack) is reported as not supported with the
error's first line: with augmentation on, ``xla`` is, as TensorFlow's XLA has no
kernel for the image transform of the random rotation, shift, shear and zoom.
Other backends run from another interpreter with ``--python-for-backend
BACKEND=PYTHON``; the repository is put on its ``PYTHONPATH``. ``--out`` writes
the table as Markdown, or as CSV for a ``.csv`` name. Timings are only
comparable on an idle machine: the header gives the load average before and after.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from math import nan
from pathlib import Path
from typing import Any

import numpy as np
from cnn_step import N_CLASSES, random_batch, step_config

from fer_classic.cnn.architectures import ARCHITECTURES
from fer_classic.cnn.config import CNNConfig
from fer_classic.files import write_text_atomic

#: Training steps before the timed ones: tracing, compilation, allocation.
WARMUP_STEPS = 2

#: Relative change of the images by which ``default`` measures the round-off scale.
NUDGE = 1e-6

#: Differences below this count as equal, whatever the round-off scale.
EQUAL = 1e-6

#: The variant the others are compared with.
REFERENCE = "default"

#: Environment variables a variant sets; removed from the environment the others get.
VARIANT_ENVIRONMENT = (
    "KERAS_BACKEND",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)

#: Steps per epoch for the learning-rate schedule: FER-2013's 28,709 training images.
TRAIN_IMAGES = 28_709

REPOSITORY = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Variant:
    """One way of running the training step.

    Parameters
    ----------
    name : str
        What ``--variants`` calls it.
    summary : str
        One line for the table.
    backend : {"tensorflow", "jax", "torch"}
        ``KERAS_BACKEND`` of its process.
    env : mapping of str to str
        Further environment variables of its process.
    intra_threads, inter_threads : int, optional
        TensorFlow's intra-op and inter-op thread pools, set through
        ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS`` and
        ``tf.config.threading`` before the first op; default TensorFlow's choice.
    jit : {"keras", "step", "network"}
        ``keras``: compiled as ``train-cnn`` compiles it; ``step``: the whole
        training step under XLA (``jit_compile=True``); ``network``: the
        augmentation as a graph of its own, then the network's training step
        under XLA.
    channels_first : bool
        Every layer in ``channels_first`` layout, images fed as (batch, channels,
        height, width).
    """

    name: str
    summary: str
    backend: str = "tensorflow"
    env: Mapping[str, str] = field(default_factory=dict)
    intra_threads: int | None = None
    inter_threads: int | None = None
    jit: str = "keras"
    channels_first: bool = False

    def environment(self) -> dict[str, str]:
        """The variables this variant sets in its process's environment."""
        env = {"KERAS_BACKEND": self.backend, **self.env}
        if self.intra_threads is not None:
            env["TF_NUM_INTRAOP_THREADS"] = str(self.intra_threads)
        if self.inter_threads is not None:
            env["TF_NUM_INTEROP_THREADS"] = str(self.inter_threads)
        return env


def _thread_variants() -> list[Variant]:
    return [
        Variant(
            f"intra{intra}-inter{inter}",
            f"TensorFlow, {intra} intra-op and {inter} inter-op thread(s)",
            intra_threads=intra,
            inter_threads=inter,
        )
        for intra in (1, 2, 4)
        for inter in (1, 2)
    ]


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in [
        Variant(REFERENCE, "TensorFlow as train-cnn runs it"),
        *_thread_variants(),
        Variant(
            "onednn-off", "TensorFlow, TF_ENABLE_ONEDNN_OPTS=0", env={"TF_ENABLE_ONEDNN_OPTS": "0"}
        ),
        Variant("xla", "TensorFlow, whole step under XLA (jit_compile=True)", jit="step"),
        Variant(
            "xla-network",
            "TensorFlow, augmentation as its own graph, network step under XLA",
            jit="network",
        ),
        Variant(
            "channels-first", "TensorFlow, every layer channels_first (NCHW)", channels_first=True
        ),
        Variant("jax", "JAX backend as train-cnn runs it (XLA-compiled step)", backend="jax"),
        Variant("torch", "PyTorch backend as train-cnn runs it (eager)", backend="torch"),
        Variant(
            "torch-channels-first",
            "PyTorch backend, every layer channels_first (NCHW)",
            backend="torch",
            channels_first=True,
        ),
    ]
}


# --- the worker: one variant in its own process ----------------------------------


def _one_line(error: BaseException) -> str:
    """Why ``error`` stopped a variant, in one line: the missing kernel, or the first line."""
    text = str(error)
    missing = re.search(r"No registered '(\w+)' OpKernel for (\w+)", text)
    if missing:
        return f"{type(error).__name__}: op {missing[1]} has no {missing[2]} kernel"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0] if lines else ''}"[:300]


def _set_tensorflow_threads(variant: Variant) -> None:
    import tensorflow as tf

    if variant.intra_threads is not None:
        tf.config.threading.set_intra_op_parallelism_threads(variant.intra_threads)
    if variant.inter_threads is not None:
        tf.config.threading.set_inter_op_parallelism_threads(variant.inter_threads)


def _channels_first_config(obj: Any) -> Any:
    """A model's ``get_config()`` with every layer in ``channels_first`` layout."""
    if isinstance(obj, list):
        return [_channels_first_config(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out = {key: _channels_first_config(value) for key, value in obj.items()}
    if out.get("data_format") == "channels_last":
        out["data_format"] = "channels_first"
    for key in ("batch_shape", "input_shape", "build_input_shape", "shape"):
        if key in out:
            out[key] = _channels_first_shape(out[key])
    if obj.get("class_name") in ("BatchNormalization", "Concatenate"):
        axis = out["config"].get("axis")
        if axis in (-1, 3, [-1], [3]):
            out["config"]["axis"] = 1
    return out


def _channels_first_shape(shape: Any) -> Any:
    """``(None, height, width, channels)`` as ``(None, channels, height, width)``, nested too."""
    if not isinstance(shape, (list, tuple)):
        return shape
    if len(shape) == 4 and shape[0] is None and all(isinstance(d, int) for d in shape[1:]):
        return [None, shape[3], shape[1], shape[2]]
    return [_channels_first_shape(item) for item in shape]


def _to_channels_first(model: Any) -> Any:
    """``model`` rebuilt in ``channels_first`` layout and compiled as it was."""
    import keras

    from fer_classic.cnn.augment import allow_jit

    rebuilt = model.__class__.from_config(_channels_first_config(model.get_config()))
    rebuilt.compile(
        optimizer=model.optimizer,
        loss=model.loss,
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    allow_jit(rebuilt)
    return rebuilt


def _jit_whole_step(model: Any) -> None:
    """Compile ``model``'s training step with XLA, layers that Keras marks unfit included."""
    from fer_classic.cnn.keras_utils import nested_layers

    for layer in nested_layers(model):
        layer.supports_jit = True
    model.jit_compile = True


def _training_step(
    config: CNNConfig,
    variant: Variant,
    weights: list[Any],
    x: Any,
    y: Any,
    sample_weight: Any,
) -> tuple[Any, Callable[[], float]]:
    """The model of ``config`` as ``variant`` runs it, and a call that takes one step.

    Returns the training model (whose random generators the check resets) and a
    function that takes one training step on ``x``, ``y`` and returns its loss.
    """
    import keras

    from fer_classic.cnn.train import build_training_model

    keras.utils.set_random_seed(config.seed)
    model = build_training_model(config, -(-TRAIN_IMAGES // config.batch_size), N_CLASSES)
    if variant.channels_first:
        model = _to_channels_first(model)
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    model.set_weights(weights)
    if variant.jit == "step":
        _jit_whole_step(model)
    if variant.jit != "network":

        def step() -> float:
            return float(model.train_on_batch(x, y, sample_weight, return_dict=True)["loss"])

        return model, step
    import tensorflow as tf

    net = model.get_layer(config.arch)
    net.compile(
        optimizer=model.optimizer,
        loss=model.loss,
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
        jit_compile=True,
    )
    if config.augment:
        augmenter = model.get_layer("augmentation")
        augment = tf.function(lambda images: augmenter(images, training=True), jit_compile=False)
    else:

        def augment(images: Any) -> Any:
            return images

    def split_step() -> float:
        logs = net.train_on_batch(augment(x), y, sample_weight, return_dict=True)
        return float(logs["loss"])

    return model, split_step


def _training_loss(
    config: CNNConfig, variant: Variant, weights: list[Any], batch: tuple[Any, ...], steps: int
) -> float:
    """The loss of the last of ``steps`` training steps from ``weights``, random streams reset."""
    from fer_classic.cnn.streams import EpochBatches, EpochStreams

    x, y, sample_weight = batch
    model, step = _training_step(config, variant, weights, x, y, sample_weight)
    streams = EpochStreams(config.seed, EpochBatches(x, y, config.batch_size, config.seed))
    streams.set_model(model)
    streams.on_epoch_begin(0)
    loss = float("nan")
    for _ in range(steps):
        loss = step()
    return loss


def _gradient_step(
    config: CNNConfig, variant: Variant, weights: list[Any], batch: tuple[Any, ...]
) -> tuple[float, Any]:
    """The loss of one SGD step without random ops, and the change of the trainable weights.

    SGD at learning rate 1 from zero momentum changes the weights by a fixed
    multiple of the gradient, whatever the backend and layout.
    """
    import keras

    plain = replace(
        config,
        augment=False,
        dropout=0.0,
        optimizer="sgd",
        learning_rate=1.0,
        weight_decay=0.0,
        lr_schedule="constant",
    )
    x, y, sample_weight = batch
    model, step = _training_step(plain, variant, weights, x, y, sample_weight)
    before = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    loss = step()
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    change = [a - b for a, b in zip(after, before, strict=True)]
    return loss, np.concatenate([c.ravel() for c in change])


def _nudged(x: np.ndarray) -> np.ndarray:
    """``x`` times ``1 + NUDGE * noise``, with standard normal noise of a fixed seed."""
    noise = np.random.default_rng(1).standard_normal(x.shape)
    return (x * (1 + NUDGE * noise)).astype(np.float32)


def _initial_weights(config: CNNConfig, path: Path) -> list[Any]:
    """The initial weights in ``path``; first those of ``config``'s seed, written there."""
    import keras

    from fer_classic.cnn.train import build_training_model

    if not path.exists():
        keras.utils.set_random_seed(config.seed)
        model = build_training_model(config, 1, N_CLASSES)
        weights = [np.asarray(w) for w in model.get_weights()]
        np.savez(path, *weights)
    with np.load(path) as stored:
        return [stored[f"arr_{i}"] for i in range(len(stored.files))]


def run_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Time and check one variant in this process, as ``spec`` (from :func:`main`) says.

    Returns ``{"unsupported": reason}`` when the variant cannot run here, else
    ``{"seconds": [...]}`` with one duration per timed step; when
    ``spec["check"]``, also ``"training_loss"`` and ``"gradient_loss"``, with the
    gradient step's change of the weights written to ``spec["gradient"]``; and
    for ``default`` the same of the nudged images (``"nudged_gradient_loss"``,
    ``spec["nudged_gradient"]``).
    """
    variant = VARIANTS[spec["variant"]]
    try:
        if variant.backend == "tensorflow":
            _set_tensorflow_threads(variant)
        import keras
    except ImportError as error:
        return {"unsupported": f"{variant.backend} is not importable by {sys.executable}: {error}"}
    if keras.backend.backend() != variant.backend:
        return {"unsupported": f"Keras runs on {keras.backend.backend()}, not {variant.backend}"}
    from fer_classic.cnn.train import class_weights

    config = step_config(spec["arch"], spec["batch_size"], augment=spec["augment"])
    x, y = random_batch(config)
    sample_weight = None
    if config.class_weights:
        labels = y.argmax(axis=1)
        per_class = class_weights(labels, N_CLASSES)
        sample_weight = np.array([per_class[c] for c in labels], dtype=np.float32)
    weights = _initial_weights(config, Path(spec["weights"]))
    try:
        _, step = _training_step(config, variant, weights, x, y, sample_weight)
        for _ in range(WARMUP_STEPS):
            step()
    except Exception as error:  # the variant cannot run here: report, do not crash
        return {"unsupported": _one_line(error)}
    seconds = []
    for _ in range(spec["steps"]):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    result: dict[str, Any] = {"seconds": seconds, "backend": keras.backend.backend()}
    if spec["check"]:
        batch = (x, y, sample_weight)
        trained = replace(config, lr_schedule="constant")  # no warm-up: the steps move
        result["training_loss"] = _training_loss(
            trained, variant, weights, batch, spec["check_steps"]
        )
        result["gradient_loss"], change = _gradient_step(config, variant, weights, batch)
        np.save(spec["gradient"], change)
        if variant.name == REFERENCE:
            nudged = (_nudged(x), y, sample_weight)
            result["nudged_gradient_loss"], change = _gradient_step(
                config, variant, weights, nudged
            )
            np.save(spec["nudged_gradient"], change)
    return result


# --- the parent: variants in turn, then the table --------------------------------


@dataclass
class Outcome:
    """What the processes of one variant measured."""

    variant: Variant
    seconds: list[float] = field(default_factory=list)
    round_medians: list[float] = field(default_factory=list)
    training_loss: float | None = None
    gradient_loss: float | None = None
    gradient: Any = None
    nudged_gradient_loss: float | None = None
    nudged_gradient: Any = None
    unsupported: str | None = None


def _interpreters(pairs: list[str]) -> dict[str, str]:
    interpreters = {}
    for pair in pairs:
        backend, sep, python = pair.partition("=")
        if not sep or backend not in ("tensorflow", "jax", "torch"):
            raise SystemExit(f"--python-for-backend takes BACKEND=PYTHON, got {pair!r}")
        interpreters[backend] = python
    return interpreters


def _chosen_variants(names: str | None) -> list[Variant]:
    wanted = [REFERENCE] if names else list(VARIANTS)
    for name in (names or "").split(","):
        name = name.strip()
        if not name or name in wanted:
            continue
        if name not in VARIANTS:
            raise SystemExit(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
        wanted.append(name)
    return [VARIANTS[name] for name in wanted]


def _base_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in VARIANT_ENVIRONMENT}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPOSITORY), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def _run_process(
    variant: Variant, spec: dict[str, Any], python: str, workdir: Path, timeout: float
) -> dict[str, Any]:
    """Run :func:`run_worker` for ``variant`` in a process of its own; its result."""
    spec_path = workdir / f"{variant.name}.spec.json"
    result_path = workdir / f"{variant.name}.result.json"
    result_path.unlink(missing_ok=True)
    paths = {
        "result": str(result_path),
        "gradient": str(workdir / f"{variant.name}.gradient.npy"),
        "nudged_gradient": str(workdir / f"{variant.name}.nudged_gradient.npy"),
    }
    spec_path.write_text(json.dumps({**spec, "variant": variant.name, **paths}))
    env = {**_base_environment(), **variant.environment()}
    command = [python, str(Path(__file__).resolve()), "--worker", str(spec_path)]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        return {"unsupported": f"no interpreter {python}"}
    except subprocess.TimeoutExpired:
        return {"unsupported": f"ran past --timeout {timeout:.0f} s"}
    if done.returncode != 0 or not result_path.exists():
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        last = lines[-1].strip() if lines else "no output"
        return {"unsupported": f"process exited with {done.returncode}: {last}"[:300]}
    return json.loads(result_path.read_text())


def _measure(args: argparse.Namespace, variants: list[Variant]) -> dict[str, Outcome]:
    interpreters = _interpreters(args.python_for_backend)
    outcomes = {v.name: Outcome(v) for v in variants}
    with tempfile.TemporaryDirectory(prefix="cnn-step-speed-") as tmp:
        workdir = Path(tmp)
        spec = {
            "arch": args.arch,
            "batch_size": args.batch_size,
            "augment": not args.no_augment,
            "steps": args.steps,
            "check_steps": args.check_steps,
            "weights": str(workdir / "initial_weights.npz"),
        }
        for round_ in range(args.repeats):
            for variant in variants:
                outcome = outcomes[variant.name]
                if outcome.unsupported:
                    continue
                python = interpreters.get(variant.backend, sys.executable)
                run_spec = {**spec, "check": round_ == 0}
                result = _run_process(variant, run_spec, python, workdir, args.timeout)
                if "unsupported" in result:
                    where = f"in round {round_ + 1}: " if round_ else ""
                    outcome.unsupported = where + result["unsupported"]
                    print(
                        f"round {round_ + 1}: {variant.name}: {outcome.unsupported}",
                        file=sys.stderr,
                    )
                    continue
                outcome.seconds += result["seconds"]
                outcome.round_medians.append(statistics.median(result["seconds"]))
                if round_ == 0:
                    outcome.training_loss = result["training_loss"]
                    outcome.gradient_loss = result["gradient_loss"]
                    outcome.gradient = np.load(workdir / f"{variant.name}.gradient.npy")
                if round_ == 0 and variant.name == REFERENCE:
                    outcome.nudged_gradient_loss = result["nudged_gradient_loss"]
                    outcome.nudged_gradient = np.load(
                        workdir / f"{variant.name}.nudged_gradient.npy"
                    )
                print(
                    f"round {round_ + 1}/{args.repeats}: {variant.name}: "
                    f"{outcome.round_medians[-1]:.3f} s per step",
                    file=sys.stderr,
                )
    return outcomes


def _relative_difference(value: Any, reference: Any) -> float:
    """``|value - reference| / |reference|`` of two numbers or two vectors."""
    return float(np.linalg.norm(value - reference) / np.linalg.norm(reference))


def _differences(outcome: Outcome, reference: Outcome) -> dict[str, float]:
    """How ``outcome``'s checks differ from ``reference``'s: the keys of the table's columns."""
    if outcome.gradient is None or reference.gradient is None:
        return {}
    return {
        "gradient": _relative_difference(outcome.gradient, reference.gradient),
        "gradient_loss": _relative_difference(outcome.gradient_loss, reference.gradient_loss),
        "training_loss": abs(outcome.training_loss - reference.training_loss),
    }


def _round_off(reference: Outcome) -> dict[str, float]:
    """How ``reference``'s gradient and loss move with its images nudged, relatively."""
    if reference.nudged_gradient is None:
        return {}
    return {
        "gradient": _relative_difference(reference.nudged_gradient, reference.gradient),
        "gradient_loss": _relative_difference(
            reference.nudged_gradient_loss, reference.gradient_loss
        ),
    }


def _same(outcome: Outcome, reference: Outcome, tolerance: float) -> bool | None:
    """Whether ``outcome``'s gradient step is ``reference``'s, ``tolerance`` times its round-off."""
    differences = _differences(outcome, reference)
    scale = _round_off(reference)
    if not differences or not scale:
        return None
    return all(differences[key] <= max(tolerance * scale[key], EQUAL) for key in scale)


def _rows(outcomes: dict[str, Outcome], tolerance: float) -> list[dict[str, str]]:
    """One row per variant: the columns of the table, formatted."""
    reference = outcomes[REFERENCE]
    reference_median = statistics.median(reference.seconds) if reference.seconds else None
    rows = []
    for outcome in outcomes.values():
        row = {"variant": outcome.variant.name, "what": outcome.variant.summary}
        if outcome.unsupported:
            rows.append({**row, "not supported": outcome.unsupported})
            continue
        median = statistics.median(outcome.seconds)
        rounds = outcome.round_medians
        differences = _differences(outcome, reference)
        same = _same(outcome, reference, tolerance)
        rows.append(
            {
                **row,
                "seconds per step, median": f"{median:.3f}",
                "rounds' medians": f"{min(rounds):.3f}-{max(rounds):.3f}",
                "speed-up over default": (
                    f"{reference_median / median:.2f}x" if reference_median else ""
                ),
                "gradient, relative difference": f"{differences.get('gradient', nan):.1e}",
                "its loss, relative difference": f"{differences.get('gradient_loss', nan):.1e}",
                "same results": "" if same is None else "yes" if same else "no",
                "training loss, difference": f"{differences.get('training_loss', nan):.1e}",
            }
        )
    return rows


COLUMNS = (
    "variant",
    "what",
    "seconds per step, median",
    "rounds' medians",
    "speed-up over default",
    "gradient, relative difference",
    "its loss, relative difference",
    "same results",
    "training loss, difference",
    "not supported",
)


def _markdown(rows: list[dict[str, str]]) -> str:
    align = ["---" if c in ("variant", "what", "not supported") else "---:" for c in COLUMNS]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(align) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(row.get(c, "").replace("|", "\\|") for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def _csv(rows: list[dict[str, str]]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


def _winners(outcomes: dict[str, Outcome], tolerance: float, threshold: float) -> str:
    """The line naming the variants at least ``threshold`` times faster with the same results."""
    reference = outcomes[REFERENCE]
    if not reference.seconds:
        return "default did not run; no speed-up to compare"
    reference_median = statistics.median(reference.seconds)
    wins = [
        f"{name} ({reference_median / statistics.median(outcome.seconds):.2f}x)"
        for name, outcome in outcomes.items()
        if name != REFERENCE
        and outcome.seconds
        and reference_median / statistics.median(outcome.seconds) >= threshold
        and _same(outcome, reference, tolerance)
    ]
    return f"faster than default by at least {threshold}x with the same results: " + (
        ", ".join(wins) if wins else "none"
    )


def main() -> None:
    """Parse the command line, run the variants in turn, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="squeezenet")
    parser.add_argument("--batch-size", type=int, help="default: the recipe's")
    parser.add_argument("--steps", type=int, default=5, help="timed steps per process")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of all variants")
    parser.add_argument("--check-steps", type=int, default=3, help="steps of the result check")
    parser.add_argument("--variants", help="comma-separated subset; default is always run")
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument(
        "--python-for-backend",
        action="append",
        default=[],
        metavar="BACKEND=PYTHON",
        help="interpreter for a backend's variants, e.g. jax=/tmp/venv-jax/bin/python",
    )
    parser.add_argument(
        "--tolerance", type=float, default=3.0, help="of 'same results', in round-off scales"
    )
    parser.add_argument("--threshold", type=float, default=1.3, help="speed-up that wins")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per process")
    parser.add_argument("--out", type=Path, help="also write the table (.md, or .csv)")
    parser.add_argument("--list", action="store_true", help="list the variants and exit")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        spec = json.loads(args.worker.read_text())
        result = run_worker(spec)
        Path(spec["result"]).write_text(json.dumps(result))
        return
    if args.list:
        for variant in VARIANTS.values():
            print(f"{variant.name:22} {variant.summary}")
        return
    for name in ("steps", "repeats", "check_steps"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be at least 1")
    variants = _chosen_variants(args.variants)
    config = step_config(args.arch, args.batch_size, augment=not args.no_augment)
    load_before = os.getloadavg()
    start = time.perf_counter()
    outcomes = _measure(args, variants)
    load_after = os.getloadavg()
    rows = _rows(outcomes, args.tolerance)
    reference = outcomes[REFERENCE]
    header = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{config.architecture_version}, batch {config.batch_size}, augmentation "
        f"{'off' if args.no_augment else 'on'}; {args.repeats} round(s) of {args.steps} timed "
        f"steps after {WARMUP_STEPS} warm-up steps; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; {time.perf_counter() - start:.0f} s in all\n"
    )
    scale = _round_off(reference)
    if scale:
        header += (
            f"gradient: one SGD step without random ops, relative difference from default's; "
            f"round-off scale: with its images moved by a relative {NUDGE:g}, default's "
            f"gradient moves by {scale['gradient']:.1e} and its loss by "
            f"{scale['gradient_loss']:.1e}; same results: both differences at most "
            f"{args.tolerance:g} times these. Training loss: after {args.check_steps} training "
            f"steps, |loss - default's| (default's {reference.training_loss:.6f})\n"
        )
    table = _markdown(rows)
    footer = _winners(outcomes, args.tolerance, args.threshold) + "\n"
    print(header)
    print(table)
    print(footer, end="")
    if args.out is not None:
        text = _csv(rows) if args.out.suffix == ".csv" else f"{header}\n{table}\n{footer}"
        write_text_atomic(args.out, text)


if __name__ == "__main__":
    main()
