"""How big a model's files are on disk.

What a model stores (parameters, support vectors, kept samples, tree nodes) is
the loaded model's own account: :attr:`fer_classic.inference.Classifier.stored`.
"""

from __future__ import annotations

from pathlib import Path


def file_bytes(path: str | Path) -> int:
    """Size on disk of a file, in bytes (the sum over a folder's files)."""
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
