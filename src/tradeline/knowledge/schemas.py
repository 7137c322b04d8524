"""The knowledge API's shapes (CONTRACTS §3: /rag/search, /rag/answer; /kb/upload, /kb/sources)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Lang = Literal["en", "fr"]
SourceTypeName = Literal["text", "markdown", "html", "pdf", "faq"]

MAX_QUERY_CHARS = 2000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _query_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class SearchFilter(_Strict):
    lang: Lang | None = None
    source_type: SourceTypeName | None = None


class SearchRequest(_Strict):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    top_k: int = Field(default=8, ge=1, le=50)
    filter: SearchFilter = Field(default_factory=SearchFilter)

    _strip = field_validator("query")(_query_text)


class SearchHit(BaseModel):
    chunk_id: uuid.UUID
    source_id: uuid.UUID
    score: float
    snippet: str
    source_type: SourceTypeName
    uri: str
    meta: dict[str, Any]


class SearchResponse(BaseModel):
    results: list[SearchHit]


class AnswerRequest(_Strict):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    lang: Lang | None = None

    _strip = field_validator("query")(_query_text)


class AnswerResponse(BaseModel):
    answer: str | None
    citations: list[uuid.UUID]
    confidence: float = Field(ge=0.0, le=1.0)
    hedge: bool


class SourceOut(BaseModel):
    id: uuid.UUID
    source_type: SourceTypeName
    uri: str
    title: str | None
    language: Lang
    chunks: int
    tokens: int
    content_hash: str
    created_at: datetime
    updated_at: datetime


class SourceList(BaseModel):
    items: list[SourceOut]


class IngestedOut(BaseModel):
    uri: str
    source_id: uuid.UUID | None
    status: Literal["created", "replaced", "unchanged", "duplicate"]
    chunks: int
    duplicate_of: str | None = None


class UploadResponse(BaseModel):
    sources: int
    chunks: int
    files: list[IngestedOut]


@dataclass(frozen=True)
class Hit:
    """One search result as the service returns it (the API shows a subset)."""

    chunk_id: uuid.UUID
    source_id: uuid.UUID
    score: float  # reciprocal-rank fusion score
    heading: str | None
    body: str
    language: str
    source_type: str
    uri: str
    title: str | None
    ordinal: int
    vector_rank: int | None
    lexical_rank: int | None
    cosine: float | None  # the chunk's cosine similarity to the query, when it has a vector
    meta: dict[str, Any] = field(default_factory=dict)

    def snippet(self, limit: int = 300) -> str:
        text = self.body if len(self.body) <= limit else self.body[: limit - 1].rsplit(" ", 1)[0]
        return text if text == self.body else text + "…"


@dataclass(frozen=True)
class Answer:
    """What the knowledge base says to a question: `answer` is None below the hedge threshold."""

    answer: str | None
    citations: list[uuid.UUID]
    confidence: float
    hedge: bool
    gap_id: uuid.UUID | None = None  # the knowledge-gap row, when none was good enough
    composed_by: Literal["extractive", "llm", "none"] = "extractive"
    # The best extractive sentence(s) even when not said (confidence too low): for the owner
    # reviewing gaps and for measuring the extractive step on its own.
    best_guess: str | None = None
    # The section heading of the passage the answer comes from: "What we do NOT do" turns a
    # plain sentence ("Automatic driveway gates.") into a no.
    heading: str | None = None


@dataclass(frozen=True)
class IngestResult:
    uri: str
    source_id: uuid.UUID | None
    status: Literal["created", "replaced", "unchanged", "duplicate"]
    chunks: int
    tokens_embedded: int = 0
    duplicate_of: str | None = None
