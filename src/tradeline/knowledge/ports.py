"""Providers the knowledge base depends on: an embedding model and, optionally, a chat model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors, all of one dimension.

    `name` identifies the model and its settings: it is stored beside every vector, and a search
    only compares vectors carrying the active embedder's name.
    """

    @property
    def name(self) -> str: ...

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """One row per text, shape (len(texts), dim), float32, unit length."""
        ...


class Composer(Protocol):
    """Writes a short answer from numbered passages; None when it cannot (or will not)."""

    async def compose(
        self, question: str, passages: Sequence[str], *, lang: str
    ) -> tuple[str, list[int]] | None:
        """The answer text and the 0-based indexes of the passages it used."""
        ...
