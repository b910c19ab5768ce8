"""The months of a stored schedule (leases, revenue contracts): consecutive ``YYYY-MM`` keys computed
from the first one, never materialised, so a 10,000-item close reads no period lists."""
from __future__ import annotations

from collections.abc import Sequence
from typing import overload


class PeriodAxis(Sequence[str]):
    # Not "count": that name is Sequence's count(value) method, which an attribute would hide.
    __slots__ = ("_start", "_len")

    def __init__(self, first: str, count: int):
        self._start, self._len = int(first[:4]) * 12 + int(first[5:]) - 1, count

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, k: int) -> str: ...
    @overload
    def __getitem__(self, k: slice) -> list[str]: ...

    def __getitem__(self, k: int | slice) -> str | list[str]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._len))]
        if k < 0:
            k += self._len
        if not 0 <= k < self._len:
            raise IndexError(k)
        n = self._start + k
        return f"{n // 12:04d}-{n % 12 + 1:02d}"

    def position(self, period: str) -> int | None:
        """Row of ``period``, or None when it is not a month of the axis."""
        try:
            k = int(period[:4]) * 12 + int(period[5:7]) - 1 - self._start
        except ValueError:
            return None
        return k if 0 <= k < self._len and len(period) == 7 else None

    def index(self, period: str, *_args: object) -> int:
        k = self.position(period)
        if k is None:
            raise ValueError(period)
        return k

    def __contains__(self, period: object) -> bool:
        return isinstance(period, str) and self.position(period) is not None
