"""The dashboard's app icons, drawn here (no third-party artwork): a white speech bubble with
three dots on TradeLine navy. `python -m tests.dashboard.icons` rewrites the PNGs and the SVG
under src/tradeline/dashboard/static/icons/; test_pwa.py checks the committed files match."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

ICONS = Path(__file__).resolve().parents[2] / "src" / "tradeline" / "dashboard" / "static" / "icons"
NAVY = (11, 46, 79)
WHITE = (255, 255, 255)
SUPERSAMPLE = 3

# Geometry on a 512 × 512 canvas.
CORNER = 112
BUBBLE = (112.0, 128.0, 400.0, 336.0, 56.0)  # x0, y0, x1, y1, radius
TAIL = ((168.0, 320.0), (168.0, 408.0), (256.0, 330.0))
DOTS = ((192.0, 232.0), (256.0, 232.0), (320.0, 232.0))
DOT_RADIUS = 24.0


def svg() -> str:
    x0, y0, x1, y1, r = BUBBLE
    (ax, ay), (bx, by), (cx, cy) = TAIL
    dots = "".join(
        f'<circle cx="{x:g}" cy="{y:g}" r="{DOT_RADIUS:g}" fill="#0b2e4f"/>' for x, y in DOTS
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" rx="{CORNER}" fill="#0b2e4f"/>'
        f'<rect x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}" rx="{r:g}" fill="#fff"/>'
        f'<path d="M{ax:g} {ay:g}L{bx:g} {by:g}L{cx:g} {cy:g}Z" fill="#fff"/>'
        f"{dots}</svg>\n"
    )


def _rounded(
    x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float, float]
) -> np.ndarray:
    x0, y0, x1, y1, r = box
    cx = np.clip(x, x0 + r, x1 - r)
    cy = np.clip(y, y0 + r, y1 - r)
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    inside &= (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return inside


def _triangle(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    (ax, ay), (bx, by), (cx, cy) = TAIL

    def side(px: float, py: float, qx: float, qy: float) -> np.ndarray:
        return (qx - px) * (y - py) - (qy - py) * (x - px)

    s1, s2, s3 = side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
    return ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))


def render(size: int, *, maskable: bool = False) -> bytes:
    """A PNG of the icon at `size` pixels; maskable icons are full-bleed with the art inside the
    central 80 % safe zone."""
    n = size * SUPERSAMPLE
    step = 512.0 / n
    coords = (np.arange(n) + 0.5) * step
    x, y = np.meshgrid(coords, coords)
    if maskable:  # shrink the art to 80 % around the centre
        x = (x - 256.0) / 0.8 + 256.0
        y = (y - 256.0) / 0.8 + 256.0
        background = np.ones_like(x, dtype=bool)
    else:
        background = _rounded(x, y, (0.0, 0.0, 512.0, 512.0, float(CORNER)))
    white = _rounded(x, y, BUBBLE) | _triangle(x, y)
    for dx, dy in DOTS:
        white &= (x - dx) ** 2 + (y - dy) ** 2 > DOT_RADIUS**2
    white &= background
    navy = background & ~white
    rgba = np.zeros((n, n, 4), dtype=np.float64)
    for mask, fill in ((navy, NAVY), (white, WHITE)):
        rgba[mask, :3] = fill
        rgba[mask, 3] = 255
    pixels = rgba.reshape(size, SUPERSAMPLE, size, SUPERSAMPLE, 4).mean(axis=(1, 3))
    alpha = pixels[..., 3:4]
    # Colour is averaged over covered samples only (premultiplied), then un-premultiplied.
    covered = rgba[..., :3] * (rgba[..., 3:4] / 255.0)
    colour = covered.reshape(size, SUPERSAMPLE, size, SUPERSAMPLE, 3).mean(axis=(1, 3))
    colour = np.where(alpha > 0, colour * 255.0 / np.maximum(alpha, 1e-9), 0)
    image = np.concatenate([colour, alpha], axis=2).round().clip(0, 255).astype(np.uint8)
    return _png(image)


def _png(image: np.ndarray) -> bytes:
    height, width, _ = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def files() -> dict[str, bytes]:
    return {
        "icon.svg": svg().encode(),
        "icon-192.png": render(192),
        "icon-512.png": render(512),
        "maskable-512.png": render(512, maskable=True),
    }


if __name__ == "__main__":
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, data in files().items():
        (ICONS / name).write_bytes(data)
