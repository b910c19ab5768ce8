"""The months of a stored schedule (leases, revenue contracts): consecutive ``YYYY-MM`` keys computed
from the first one, never materialised, so a 10,000-item close reads no period lists."""
from __future__ import annotations

from collections.abc import Sequence


class PeriodAxis(Sequence):
    __slots__ = ("start", "count")

    def __init__(self, first: str, count: int):
        self.start, self.count = int(first[:4]) * 12 + int(first[5:]) - 1, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self.count))]
        if k < 0:
            k += self.count
        if not 0 <= k < self.count:
            raise IndexError(k)
        n = self.start + k
        return f"{n // 12:04d}-{n % 12 + 1:02d}"

    def position(self, period: str) -> int | None:
        """Row of ``period``, or None when it is not a month of the axis."""
        try:
            k = int(period[:4]) * 12 + int(period[5:7]) - 1 - self.start
        except ValueError:
            return None
        return k if 0 <= k < self.count and len(period) == 7 else None

    def index(self, period: str, *_args) -> int:
        k = self.position(period)
        if k is None:
            raise ValueError(period)
        return k

    def __contains__(self, period) -> bool:
        return isinstance(period, str) and self.position(period) is not None
