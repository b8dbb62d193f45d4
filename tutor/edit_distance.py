"""The Levenshtein distance between a draft and what a teacher sent instead (pure: numpy, no Django).

A teacher's edit is usually a few characters in a long answer, so the common prefix and suffix are taken off
first; what is left is the textbook dynamic programme, one numpy row at a time. Within a row the insertion
step d[j] = min(c[j], d[j-1] + 1) is a running minimum of c[k] - k, so no row needs a Python loop, and a full
rewrite of a 4,000-character answer costs milliseconds, not seconds.
"""
from __future__ import annotations

import numpy as np

# An edit this small (a typo, a full stop) still counts as approving the draft as written: the LearnLM/Eedi
# classroom trial counted "no edit or an edit of 1-2 characters" the same way.
AS_IS_MAX_EDIT = 2


def levenshtein(before: str, after: str) -> int:
    """Insertions, deletions and substitutions of one character each that turn ``before`` into ``after``."""
    start = _common_prefix(before, after)
    before, after = before[start:], after[start:]
    end = _common_prefix(before[::-1], after[::-1])
    before, after = before[: len(before) - end], after[: len(after) - end]
    if not before or not after:
        return len(before) + len(after)
    target = np.frombuffer(after.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(target) + 1)
    row = steps.copy()
    for index, char in enumerate(before, start=1):
        substituted = row[:-1] + (target != ord(char))
        deleted = row[1:] + 1
        best = np.empty_like(row)
        best[0] = index
        best[1:] = np.minimum(substituted, deleted)
        row = np.minimum.accumulate(best - steps) + steps
    return int(row[-1])


def approved_as_is(distance: int) -> bool:
    return distance <= AS_IS_MAX_EDIT


def _common_prefix(first: str, second: str) -> int:
    length = min(len(first), len(second))
    for index in range(length):
        if first[index] != second[index]:
            return index
    return length
