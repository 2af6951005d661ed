"""The 8×8 handwritten digits shipped with the package, and the split of a workbook.

``data/digits.npz`` holds the 1,797 images (64 pixels each, 0–16, row by row from the top
left) and their labels 0–9, as scikit-learn ships them (``sklearn.datasets.load_digits``):
the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998),
licensed CC BY 4.0. A test checks the copy against scikit-learn's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sheetsim.experiments.common.draws import uniform_draws

FILE = Path(__file__).parent / "data" / "digits.npz"
SIZE = 1797
"""Images in the data set."""
SPLIT_STREAM = 1
"""The draw stream whose order splits the data set."""


@cache
def load() -> tuple[np.ndarray, np.ndarray]:
    """(images 1797 × 64, labels 1797) as float64 arrays."""
    with np.load(FILE) as npz:
        return npz["images"].astype(np.float64), npz["labels"].astype(np.float64)


@dataclass(frozen=True)
class Split:
    """The rows of the data set (0-based) in the training and test sets."""

    train: np.ndarray
    test: np.ndarray


def split(seed: int, train: int, test: int) -> Split:
    """A fixed split chosen by the seed: the data set in the order of seeded draws, the first
    ``test`` rows for testing and the next ``train`` for training."""
    order = np.argsort(uniform_draws(seed, SPLIT_STREAM, (SIZE, 1))[:, 0], kind="stable")
    return Split(np.sort(order[test:test + train]), np.sort(order[:test]))


def shown_rows(labels: np.ndarray, count: int) -> list[int]:
    """Test-set rows (0-based) to draw: the first image of each class 0, 1, … in turn, and
    where a class is missing the first rows not yet shown."""
    rows = [int(np.flatnonzero(labels == c)[0]) for c in range(count) if (labels == c).any()]
    rest = [i for i in range(len(labels)) if i not in rows]
    return (rows + rest)[:count]
