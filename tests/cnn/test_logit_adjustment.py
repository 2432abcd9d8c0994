"""Logit adjustment: the prior, the choice of tau on validation, the fold into the classifier."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from fer_classic.cnn import CNNConfig  # noqa: E402
from fer_classic.cnn.architectures import build_network  # noqa: E402
from fer_classic.cnn.logit_adjustment import (  # noqa: E402
    TAUS,
    adjust_probabilities,
    choose_tau,
    class_prior,
    fold_into_classifier,
    logit_offsets,
    softmax_classifier,
)
from fer_classic.cnn.predictor import load_keras_model  # noqa: E402
from fer_classic.cnn.preprocess import to_model_input  # noqa: E402
from fer_classic.cnn.train import train_cnn  # noqa: E402
from fer_classic.data.dataset import TEST, TRAIN, VAL  # noqa: E402
from fer_classic.data.load import dataset_from_arrays  # noqa: E402
from fer_classic.runs import CNN_MODEL, CNN_UNADJUSTED_MODEL, CONFIG, METRICS  # noqa: E402

from .test_train_compact import TINY_COMPACT  # noqa: E402


def test_class_prior_adds_one_count_per_class():
    prior = class_prior(np.array([0, 0, 0, 2]), 3)
    np.testing.assert_allclose(prior, [4 / 7, 1 / 7, 2 / 7])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        class_prior(np.array([0, 3]), 3)


def test_adjusted_probabilities_are_the_softmax_of_the_shifted_logits():
    logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    prior = np.array([0.7, 0.2, 0.1])
    shifted = logits - 0.5 * np.log(prior)
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(adjust_probabilities(proba, prior, 0.5), expected)
    np.testing.assert_allclose(adjust_probabilities(proba, prior, 0.0), proba)
    with pytest.raises(ValueError, match="tau"):
        logit_offsets(prior, -0.1)


def test_choose_tau_corrects_a_model_that_never_predicts_the_rare_class():
    # Class 1 is rare in training; the model's scores rank it right but below class 0.
    prior = np.array([0.8, 0.05, 0.15])
    labels = np.array([0, 0, 0, 1, 1, 2, 2])
    proba = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.7, 0.1, 0.2],
            [0.9, 0.05, 0.05],
            [0.6, 0.35, 0.05],
            [0.55, 0.4, 0.05],
            [0.2, 0.1, 0.7],
            [0.3, 0.1, 0.6],
        ]
    )
    names = ["a", "b", "c"]
    tau, table = choose_tau(proba, labels, prior, names)
    assert table[0.0] < table[tau] and tau > 0
    assert list(table) == sorted(TAUS)
    assert np.array_equal(adjust_probabilities(proba, prior, tau).argmax(axis=1), labels)


def test_choose_tau_keeps_the_network_when_nothing_improves():
    proba = np.eye(3)[[0, 1, 2]] * 0.9 + 0.1 / 3
    tau, table = choose_tau(proba, np.array([0, 1, 2]), np.full(3, 1 / 3), ["a", "b", "c"])
    assert tau == 0.0 and len(set(table.values())) == 1
    with pytest.raises(ValueError, match="empty"):
        choose_tau(proba, np.array([0, 1, 2]), np.full(3, 1 / 3), ["a", "b", "c"], taus=())


@pytest.mark.parametrize("input_size", [48, 56])
def test_folding_into_the_classifier_equals_adjusting_the_probabilities(input_size):
    config = CNNConfig.for_architecture("compact", input_size=input_size)
    net = build_network(config)
    faces = np.random.default_rng(0).integers(0, 256, (5, 48, 48), dtype=np.uint8)
    images = to_model_input(faces, 1)
    before = net.predict(images, verbose=0)
    prior = class_prior(np.repeat(np.arange(7), [40, 2, 10, 60, 30, 20, 35]), 7)
    fold_into_classifier(net, logit_offsets(prior, 0.75))
    np.testing.assert_allclose(
        net.predict(images, verbose=0), adjust_probabilities(before, prior, 0.75), atol=1e-5
    )
    with pytest.raises(ValueError, match="shape"):
        fold_into_classifier(net, np.zeros(3))


def test_a_network_without_a_dense_softmax_output_is_refused():
    net = build_network(CNNConfig())
    message = r"dense softmax layer; squeezenet ends in softmax \(Softmax\)"
    with pytest.raises(ValueError, match=message):
        softmax_classifier(net)
    with pytest.raises(ValueError, match="logit_adjustment needs"):
        CNNConfig(logit_adjustment=True).validate()


def _proba(path, images):
    return load_keras_model(path).predict(to_model_input(images, 1), verbose=0)


def _skewed(dataset):
    """``dataset`` with all but one training image of class 1 left out."""
    keep = dataset.train.labels != 1
    keep[np.flatnonzero(dataset.train.labels == 1)[0]] = True
    splits = [
        (dataset.train.images[keep], dataset.train.labels[keep], TRAIN),
        (dataset.val.images, dataset.val.labels, VAL),
        (dataset.test.images, dataset.test.labels, TEST),
    ]
    return dataset_from_arrays(
        np.concatenate([images for images, _, _ in splits]),
        np.concatenate([labels for _, labels, _ in splits]),
        np.concatenate([np.full(len(labels), usage) for _, labels, usage in splits]),
        split="canonical",
    )


@pytest.mark.slow
def test_a_run_is_adjusted_on_validation_and_scored_again_from_its_unadjusted_network(
    tiny_dataset, tmp_path, monkeypatch
):
    dataset = _skewed(tiny_dataset)
    chosen = []

    def choose_one(proba, labels, prior, class_names):
        table = choose_tau(proba, labels, prior, class_names)[1]
        chosen.append(len(labels))
        return 1.0, table  # a strong correction, whatever validation says

    monkeypatch.setattr("fer_classic.cnn.train.choose_tau", choose_one)
    config = replace(TINY_COMPACT, epochs=2)
    assert config.logit_adjustment  # the compact recipe's
    run_dir = tmp_path / "run"
    train_cnn(dataset, run_dir, config, export=False, verbose=False)
    assert chosen == [len(dataset.val)]  # chosen on the validation split
    adjustment = json.loads((run_dir / METRICS).read_text())["logit_adjustment"]
    assert adjustment["tau"] == 1.0 and adjustment["chosen_on"] == dataset.val.source_name
    assert set(adjustment["validation_macro_f1"]) == {str(t) for t in TAUS}
    prior = np.asarray(adjustment["prior"])
    np.testing.assert_allclose(prior, class_prior(dataset.train.labels, 7))
    assert prior[1] < prior[0] / 3
    images = dataset.test.images
    unadjusted = _proba(run_dir / CNN_UNADJUSTED_MODEL, images)
    np.testing.assert_allclose(
        _proba(run_dir / CNN_MODEL, images),
        adjust_probabilities(unadjusted, prior, adjustment["tau"]),
        atol=1e-5,
    )

    # Scored again without the adjustment: the best epoch's own network comes back.
    train_cnn(
        dataset,
        run_dir,
        replace(config, logit_adjustment=False),
        resume=True,
        export=False,
        verbose=False,
    )
    assert json.loads((run_dir / CONFIG).read_text())["logit_adjustment"] is False
    assert json.loads((run_dir / METRICS).read_text())["logit_adjustment"] is None
    assert not (run_dir / CNN_UNADJUSTED_MODEL).exists()
    np.testing.assert_allclose(_proba(run_dir / CNN_MODEL, images), unadjusted, atol=1e-6)
    assert not np.allclose(unadjusted, adjust_probabilities(unadjusted, prior, 1.0), atol=1e-3)

    # And with it again: the same tau, folded once.
    train_cnn(dataset, run_dir, config, resume=True, export=False, verbose=False)
    again = json.loads((run_dir / METRICS).read_text())["logit_adjustment"]
    assert again == adjustment
    np.testing.assert_allclose(
        _proba(run_dir / CNN_MODEL, images),
        adjust_probabilities(unadjusted, prior, adjustment["tau"]),
        atol=1e-5,
    )
