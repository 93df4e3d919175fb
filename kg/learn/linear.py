"""A multinomial logistic regression over string features, stored as plain arrays.

Training uses scikit-learn; the fitted model is kept as a vocabulary (feature
string -> column), a weight matrix and a bias vector, so it can be saved as JSON
and ``.npz`` (no pickle: loading a model never runs code) and applied with numpy
alone.

>>> m = LinearModel.fit([["a", "x"], ["b", "x"], ["a"], ["b"]], ["yes", "no", "yes", "no"], c=10.0, seed=0)
>>> m.classes
('no', 'yes')
>>> [m.classes[i] for i in m.predict_proba([["a"], ["b"]]).argmax(axis=1)]
['yes', 'no']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.errors import ModelError

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["LinearModel"]


class LinearModel:
    """Weights of a softmax classifier over binary string features."""

    def __init__(self, vocabulary: Sequence[str], classes: Sequence[str], weights: np.ndarray, bias: np.ndarray) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {f: i for i, f in enumerate(self.vocabulary)}
        self.classes = tuple(classes)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        if self.weights.shape != (len(self.vocabulary), len(self.classes)) or self.bias.shape != (len(self.classes),):
            raise ModelError(
                f"weights of shape {self.weights.shape} and bias {self.bias.shape} do not fit "
                f"{len(self.vocabulary)} features and {len(self.classes)} classes"
            )

    # -- training ---------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        rows: Sequence[Sequence[str]],
        labels: Sequence[str],
        *,
        c: float = 1.0,
        seed: int = 0,
        min_count: int = 1,
        class_weight: dict[str, float] | None = None,
        max_iter: int = 3000,
    ) -> LinearModel:
        """Fit on ``rows`` (each a list of feature strings) and their ``labels``.

        Features seen fewer than ``min_count`` times are left out of the vocabulary.
        """
        from sklearn.linear_model import LogisticRegression

        counts: dict[str, int] = {}
        for row in rows:
            for f in set(row):
                counts[f] = counts.get(f, 0) + 1
        vocabulary = sorted(f for f, n in counts.items() if n >= min_count)
        index = {f: i for i, f in enumerate(vocabulary)}
        x = _matrix(rows, index)
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ModelError(f"cannot train a classifier on one class only ({classes[0] if classes else 'none'})")
        clf = LogisticRegression(C=c, max_iter=max_iter, random_state=seed, class_weight=class_weight)
        clf.fit(x, list(labels))
        coef = np.asarray(clf.coef_, dtype=np.float64)
        intercept = np.asarray(clf.intercept_, dtype=np.float64)
        if len(classes) == 2:  # scikit-learn keeps one row for two classes: the log-odds of the second
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        order = [list(clf.classes_).index(k) for k in classes]
        return cls(vocabulary, classes, coef[order].T, intercept[order])

    # -- use --------------------------------------------------------------------------------------

    def matrix(self, rows: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Binary feature matrix of ``rows`` (unknown features are ignored)."""
        return _matrix(rows, self.index)

    def scores(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Raw class scores (log-odds up to a constant), one row per input row.

        The sum of the weights of each row's known features, plus the bias: the product of
        the binary feature matrix with the weights, done without building the matrix (no
        SciPy import when a model only extracts).
        """
        if not rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        indptr, indices = _columns(rows, self.index)
        n = len(rows)
        picked = self.weights[np.asarray(indices, dtype=np.intp)]
        owner = np.repeat(np.arange(n, dtype=np.intp), np.diff(indptr))
        out = np.empty((n, self.weights.shape[1]), dtype=np.float64)
        for k in range(self.weights.shape[1]):
            out[:, k] = np.bincount(owner, weights=picked[:, k], minlength=n)
        return out + self.bias

    def predict_proba(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """Class probabilities, one row per input row, columns in :attr:`classes` order."""
        s = self.scores(rows)
        if not len(s):
            return s
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=1, keepdims=True)

    # -- storage ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The model's description (vocabulary and classes) as JSON-ready data; weights are kept apart."""
        return {"classes": list(self.classes), "vocabulary": self.vocabulary}

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The weights as named arrays, for ``numpy.savez``."""
        return {f"{prefix}.weights": self.weights, f"{prefix}.bias": self.bias}

    @classmethod
    def from_parts(cls, data: dict[str, object], arrays: dict[str, np.ndarray], prefix: str, source: Path) -> LinearModel:
        """Rebuild a model saved with :meth:`to_dict` and :meth:`arrays`."""
        try:
            return cls(data["vocabulary"], data["classes"], arrays[f"{prefix}.weights"], arrays[f"{prefix}.bias"])  # type: ignore[arg-type]
        except KeyError as exc:
            raise ModelError(f"{source}: the model {prefix!r} lacks {exc}") from exc


def _columns(rows: Sequence[Sequence[str]], index: dict[str, int]) -> tuple[list[int], list[int]]:
    """The known features of each row as CSR offsets and sorted column numbers (each feature once)."""
    indptr = [0]
    indices: list[int] = []
    for row in rows:
        indices.extend(sorted({index[f] for f in row if f in index}))
        indptr.append(len(indices))
    return indptr, indices


def _matrix(rows: Sequence[Sequence[str]], index: dict[str, int]) -> sparse.csr_matrix:
    from scipy import sparse

    indptr, indices = _columns(rows, index)
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(index)), dtype=np.float32)
