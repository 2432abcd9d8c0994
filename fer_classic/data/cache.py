"""On-disk cache of decoded data sets, keyed by the source file's content.

Decoding FER-2013's 301 MB CSV takes tens of seconds; a cached copy loads in a
fraction of a second. Layout under the cache directory::

    fingerprints.json          path -> [size, mtime_ns, sha256]: skips re-hashing
                               a file whose size and modification time are unchanged
    data/<key>/                one decoded data set: images.npy, labels.npy,
                               usage.npy, meta.json

``<key>`` hashes the file's SHA-256 (a folder's listing), the loader's options and
:data:`CACHE_VERSION`, so a changed file or a changed decoder never reads stale
arrays. Entries are written to a temporary folder and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..files import STALE_SECONDS, TEMPORARY_MARK, remove_temporary_files, write_json_atomic
from .dataset import RawData

#: Bump when decoding changes, so that old cache entries are ignored.
CACHE_VERSION = 2


def default_cache_dir() -> Path:
    """The cache folder.

    ``$FER_CLASSIC_CACHE``, else ``$XDG_CACHE_HOME/fer-classic``, else ``~/.cache/fer-classic``.
    """
    if os.environ.get("FER_CLASSIC_CACHE"):
        return Path(os.environ["FER_CLASSIC_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fer-classic"


def file_fingerprint(path: Path, cache_dir: Path | None) -> str:
    """SHA-256 of a file's content, remembered per (path, size, mtime) in the cache."""
    stat = path.stat()
    memo_path = cache_dir / "fingerprints.json" if cache_dir else None
    memo: dict[str, list] = {}
    if memo_path and memo_path.exists():
        try:
            memo = json.loads(memo_path.read_text())
        except (OSError, ValueError):
            memo = {}
    key = str(path.resolve())
    entry = memo.get(key)
    if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
        return entry[2]
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            digest.update(block)
    fingerprint = digest.hexdigest()
    if memo_path:
        memo[key] = [stat.st_size, stat.st_mtime_ns, fingerprint]
        write_json_atomic(memo_path, memo)
    return fingerprint


def entry_key(fingerprint: str, **options: object) -> str:
    """The cache key of a decoded data set: content, loader options, cache version."""
    text = json.dumps({"fp": fingerprint, "v": CACHE_VERSION, **options}, sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def load_entry(cache_dir: Path, key: str) -> RawData | None:
    """The cached data set under ``key``, or None when absent or unreadable."""
    folder = cache_dir / "data" / key
    try:
        meta = json.loads((folder / "meta.json").read_text())
        arrays = {name: np.load(folder / f"{name}.npy") for name in ("images", "labels", "usage")}
    except (OSError, ValueError):
        return None
    return RawData(
        images=arrays["images"],
        labels=arrays["labels"],
        usage=arrays["usage"],
        source=meta["source"],
        format=meta["format"],
        fingerprint=meta["fingerprint"],
        usage_names=tuple(meta["usage_names"]),
        class_names=tuple(meta["class_names"]),
        skipped=meta["skipped"],
        dropped=meta.get("dropped", {}),
    )


def store_entry(cache_dir: Path, key: str, raw: RawData) -> Path:
    """Write a decoded data set under ``key``, atomically; returns its folder."""
    folder = cache_dir / "data" / key
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{key}{TEMPORARY_MARK}"))
    try:
        for name in ("images", "labels", "usage"):
            np.save(tmp / f"{name}.npy", getattr(raw, name))
        meta = {
            "source": raw.source,
            "format": raw.format,
            "fingerprint": raw.fingerprint,
            "usage_names": list(raw.usage_names),
            "class_names": list(raw.class_names),
            "skipped": raw.skipped,
            "dropped": dict(raw.dropped),
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    remove_temporary_files(folder.parent, older_than=STALE_SECONDS)
    return folder
