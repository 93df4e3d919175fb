"""A trained extraction model: its directory, its identity, loading and saving.

A model directory holds::

    config.json    what the model is: format version, kg version, seed, the documents it was
                   trained on, decision thresholds, confidence calibration, training figures
    classifiers.json  each classifier's classes and feature vocabulary
    weights.npz    each classifier's weights (numpy arrays; loaded with allow_pickle=False)
    places.json    the place names the entity features look up (:mod:`kg.learn.places`)
    names.json     the given and family names they look up (:mod:`kg.learn.names`)
    annotated.json the names the training annotations typed (:mod:`kg.learn.annotated`)
    known.json     the facts the training annotations state, by name (:mod:`kg.learn.known`)

Nothing in it is code: loading a model never runs anything it contains. The
model's identity (:attr:`ExtractionModel.model_id`) is a digest of its files; it
goes into the extraction cache's version and into ``report.json``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kg.errors import ModelError
from kg.learn import annotated, known, names, places
from kg.learn.linear import LinearModel
from kg.learn.names import Names
from kg.learn.places import Places

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "CLASSIFIERS",
    "ExtractionModel",
    "Calibration",
    "default_model_path",
    "load_model",
    "model_id",
]

FORMAT = "kg-extraction-model"
#: Bumped whenever the features or the files change meaning; older models are refused.
FORMAT_VERSION = 4
#: The classifiers a model holds.
CLASSIFIERS = ("entities", "pairs", "groups", "quotes")
#: The lookup tables a model keeps: file, attribute, writer, reader, what they hold.
_TABLES = (
    ("places.json", "places", places.to_json, places.from_json, "the place names"),
    ("names.json", "names", names.to_json, names.from_json, "the names"),
    ("annotated.json", "annotated", annotated.to_json, annotated.from_json, "the names the training annotations typed"),
    ("known.json", "known", known.to_json, known.from_json, "the facts the training annotations state"),
)
_FILES = ("config.json", "classifiers.json", "weights.npz", *(t[0] for t in _TABLES))


@dataclass
class Calibration:
    """Raw classifier score -> probability that the fact is right (piecewise linear, increasing)."""

    x: list[float] = field(default_factory=lambda: [0.0, 1.0])
    y: list[float] = field(default_factory=lambda: [0.0, 1.0])

    def __call__(self, score: float) -> float:
        return float(np.interp(score, self.x, self.y))

    def to_dict(self) -> dict[str, list[float]]:
        return {"x": [round(v, 6) for v in self.x], "y": [round(v, 6) for v in self.y]}


@dataclass
class ExtractionModel:
    """The classifiers and decision settings of the learned extractor."""

    classifiers: dict[str, LinearModel]
    config: dict[str, Any]
    path: Path | None = None
    model_id: str = ""
    #: place names the entity features look up (:mod:`kg.learn.places`), saved with the model
    places: Places = field(default_factory=dict)
    #: given and family names the entity features look up (:mod:`kg.learn.names`), saved with the model
    names: Names = field(default_factory=dict)
    #: the names the training annotations typed (:mod:`kg.learn.annotated`), saved with the model
    annotated: annotated.Memory = field(default_factory=dict)
    #: the facts the training annotations state (:mod:`kg.learn.known`), saved with the model
    known: known.Memory = field(default_factory=dict)

    @property
    def entity_threshold(self) -> float:
        return float(self.config["thresholds"]["entity"])

    @property
    def longer_span(self) -> float | None:
        """Entity probability from which overlapping candidate spans are taken longest first (None: most probable first)."""
        value = self.config["thresholds"].get("longer_span")
        return None if value is None else float(value)

    def threshold(self, predicate: str) -> float:
        """Smallest raw score at which a fact of ``predicate`` is kept."""
        return float(self.config["thresholds"]["facts"].get(predicate, 0.5))

    def calibration(self, predicate: str) -> Calibration:
        data = self.config.get("calibration", {}).get(predicate)
        return Calibration(**data) if data else Calibration()

    # -- storage ----------------------------------------------------------------------------------

    def save(self, out_dir: str | os.PathLike[str]) -> Path:
        """Write the model into ``out_dir`` (created); returns the folder."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        config = dict(self.config, format=FORMAT, format_version=FORMAT_VERSION)
        (out / "config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                         encoding="utf-8")  # fmt: skip
        (out / "classifiers.json").write_text(
            json.dumps({k: self.classifiers[k].to_dict() for k in CLASSIFIERS}, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        arrays: dict[str, np.ndarray] = {}
        for k in CLASSIFIERS:
            arrays.update(self.classifiers[k].arrays(k))
        with open(out / "weights.npz", "wb") as handle:
            np.savez_compressed(handle, **dict(sorted(arrays.items())))
        for file, attr, to_json, _from_json, _what in _TABLES:
            (out / file).write_text(json.dumps(to_json(getattr(self, attr)), ensure_ascii=False) + "\n", encoding="utf-8")
        self.path = out
        self.model_id = model_id(out)
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ExtractionModel:
        """Read a model directory written by :meth:`save`.

        Raises:
            ModelError: a file is missing or unreadable, or the model was made for another format version.
        """
        folder = Path(path)
        if not folder.is_dir():
            raise ModelError(f"{folder}: not a model directory (train one with `kg train`)")
        for name in _FILES:
            if not (folder / name).is_file():
                raise ModelError(f"{folder}: not a kg model: {name} is missing")
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            described = json.loads((folder / "classifiers.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{folder}: cannot read the model: {exc}") from exc
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise ModelError(f"{folder / 'config.json'}: not a kg extraction model")
        if config.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{folder}: model format {config.get('format_version')} but this kg reads format {FORMAT_VERSION}; "
                "train the model again with this version of kg (`kg train`)"
            )
        try:
            with np.load(folder / "weights.npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise ModelError(f"{folder / 'weights.npz'}: cannot read the weights: {exc}") from exc
        tables = {}
        for file, attr, _to_json, from_json, what in _TABLES:
            try:
                tables[attr] = from_json(json.loads((folder / file).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise ModelError(f"{folder / file}: cannot read {what}: {exc}") from exc
        classifiers = {}
        for k in CLASSIFIERS:
            if k not in described:
                raise ModelError(f"{folder / 'classifiers.json'}: the classifier {k!r} is missing")
            classifiers[k] = LinearModel.from_parts(described[k], arrays, k, folder)
        return cls(classifiers=classifiers, config=config, path=folder, model_id=model_id(folder), **tables)


def model_id(folder: str | os.PathLike[str]) -> str:
    """Digest of a model directory's files (16 hex digits)."""
    h = hashlib.sha256()
    for name in _FILES:
        h.update(name.encode() + b"\0")
        h.update((Path(folder) / name).read_bytes())
    return h.hexdigest()[:16]


def default_model_path() -> Path:
    """The model shipped with kg."""
    return Path(str(resources.files("kg.learn").joinpath("default")))


_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, stamp: tuple[tuple[int, int], ...]) -> ExtractionModel:
    return ExtractionModel.load(path)


def load_model(path: str | os.PathLike[str] | None = None) -> ExtractionModel:
    """The model at ``path`` (default: the one shipped with kg), loaded once per process
    (again when its files change)."""
    folder = Path(path) if path is not None else default_model_path()
    try:
        stamp = tuple((st.st_size, st.st_mtime_ns) for st in ((folder / n).stat() for n in _FILES))
    except OSError:
        return ExtractionModel.load(folder)  # raises the clear error
    with _lock:
        return _load_cached(str(folder.resolve()), stamp)
