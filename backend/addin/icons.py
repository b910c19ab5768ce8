"""The add-in's ribbon icons (16, 32, 80 px PNG), drawn by code so no binary comes from elsewhere.

    .venv/bin/python -m backend.addin.icons     # writes addin/assets/icon-{16,32,80}.png

A dark-blue rounded tile with three white ledger lines and a green tick column.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 80)
ASSETS = Path(__file__).resolve().parents[2] / "addin" / "assets"
BLUE, WHITE, GREEN, CLEAR = (31, 78, 120, 255), (255, 255, 255, 255), (112, 173, 71, 255), (0, 0, 0, 0)


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    """Colour at (x, y) in the unit square."""
    r = 0.18  # corner radius
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    for top in (0.28, 0.46, 0.64):
        if top <= y < top + 0.09:
            if 0.2 <= x < 0.62:
                return WHITE
            if 0.7 <= x < 0.8:
                return GREEN
    return BLUE


def png(size: int) -> bytes:
    raw = b"".join(b"\x00" + b"".join(bytes(_pixel((i + 0.5) / size, (j + 0.5) / size)) for i in range(size))
                   for j in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main() -> None:
    ASSETS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        (ASSETS / f"icon-{size}.png").write_bytes(png(size))


if __name__ == "__main__":
    main()
