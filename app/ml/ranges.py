"""The range guard of anomaly models: how far a value lies outside what training saw.

IsolationForest cannot tell a value just past the training data's range from one a hundred
times past it: both fall in the same outermost leaves and score like the training set's most
extreme record. A magnitude typo in one column (a price a hundred times too high), the commonest
record anomaly, can then score below the threshold. So each numeric column also keeps its
training range, widened by `MARGIN` of its width on both sides; a value beyond that is out of
range, by a distance measured in range widths.
"""

import math

import numpy as np

MARGIN = 0.5
Range = tuple[float, float, float]
"""(low, high, width) of one column: values outside [low, high] are out of range."""


def fit_ranges(matrix: np.ndarray) -> tuple[Range, ...]:
    """Each column's widened training range; a column with no values has no bounds."""
    ranges: list[Range] = []
    for column in matrix.T:
        values = column[~np.isnan(column)]
        if values.size == 0:
            ranges.append((-math.inf, math.inf, 1.0))
            continue
        low, high = float(values.min()), float(values.max())
        width = high - low or max(abs(high), 1.0)  # a constant column: any change is measured on its scale
        ranges.append((low - MARGIN * width, high + MARGIN * width, width))
    return tuple(ranges)


def range_excess(matrix: np.ndarray, ranges: tuple[Range, ...]) -> np.ndarray:
    """Per row, the furthest any value lies outside its column's range, in range widths (0 if none)."""
    if not ranges:
        return np.zeros(len(matrix))
    low, high, width = (np.array(bound, dtype=np.float64) for bound in zip(*ranges, strict=True))
    excess = np.fmax(low - matrix, matrix - high) / width  # fmax ignores NaN (missing values)
    furthest: np.ndarray = np.nan_to_num(excess, nan=0.0).clip(min=0.0).max(axis=1)
    return furthest
