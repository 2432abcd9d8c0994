"""Reference rows from the literature: reported by their authors, not measured here.

Each row carries only what its source states, on its own split and protocol of
FER-2013, so it is context for the measured rows and never part of their Pareto
fronts. The source documents are in ``../shared/seeds/`` (see its README).
"""

from __future__ import annotations

from .results import ModelResult

#: Every literature row carries this mark in its notes.
REPORTED = "reported, not measured"

_THESIS = "Zima, bachelor's thesis, Brno University of Technology, 2024 (seed 001), ch. 6"
_UPENN = "Yuan, Nguyen, Nguyen, UPenn CIS 520 project (seed 003), Table 5"

#: The protocol each source's figures were measured under, in one line.
_THESIS_PROTOCOL = (
    "checkpointed on its validation set; the thesis does not say on which split its test "
    "accuracy was measured"
)
_UPENN_PROTOCOL = "its own split of FER-2013, not the canonical PrivateTest"


def _row(
    name: str, summary: str, description: str, accuracy: float, source: str, **extra
) -> ModelResult:
    notes = [REPORTED, *extra.pop("notes", [])]
    protocol = _THESIS_PROTOCOL if source == _THESIS else _UPENN_PROTOCOL
    return ModelResult(
        name=name,
        origin="literature",
        kind="reported",
        description=description,
        summary=summary,
        measured=False,
        accuracy=accuracy,
        source=source,
        protocol=protocol,
        test_split="FER-2013, the authors' test split",
        notes=notes,
        **extra,
    )


def literature_rows() -> list[ModelResult]:
    """The thesis's SqueezeNet and VGG16, and seed 003's KNN, MLP and CNNs, as reported."""
    return [
        _row(
            "SqueezeNet (thesis)",
            "SqueezeNet",
            "customized SqueezeNet: simple bypass, 11 fire modules, BN, dropout",
            0.6637,
            _THESIS,
            parameters=1_377_655,
            stored="1,377,655 parameters",
            model_bytes=5_260_000,
            notes=["model size reported as 5.26 MB"],
        ),
        _row(
            "VGG16 (thesis)",
            "VGG16",
            "customized VGG16",
            0.6509,
            _THESIS,
            parameters=28_913_223,
            stored="28,913,223 parameters",
            model_bytes=110_300_000,
            notes=["model size reported as 110.3 MB"],
        ),
        _row(
            "KNN (seed 003)",
            "pixels / KNN",
            "raw pixels + KNN (k=3, L1, distance-weighted)",
            0.3150,
            _UPENN,
        ),
        _row("MLP (seed 003)", "pixels / MLP", "MLP 1024-1024-64-32-7, ReLU", 0.2281, _UPENN),
        _row("simple CNN (seed 003)", "CNN", "simple CNN", 0.5479, _UPENN),
        _row(
            "ResNet CNN (seed 003)",
            "ResNet18",
            "ResNet-based CNN (ResNet18 architecture and initialization)",
            0.6277,
            _UPENN,
        ),
    ]
