"""An OpenAI-compatible chat model that writes the answer from retrieved passages.

Used only when an LLM is configured, only above the hedge threshold (the extractive step decides
whether there is an answer at all), and only within a hard 2.5 s budget: on timeout, error or an
answer that cites nothing, the caller falls back to the extractive answer.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tradeline.config import Settings
from tradeline.knowledge.ports import Composer
from tradeline.logging import get_logger

if TYPE_CHECKING:
    import httpx2

log = get_logger(__name__)

TIMEOUT_S = 2.5
DEFAULT_MODEL = "gpt-4o-mini"

SYSTEM_PROMPT = (
    "You answer a caller's question for a small business, using ONLY the numbered passages. "
    'Reply with a JSON object: {"answer": string or null, "sources": [passage numbers]}. '
    "The answer is at most two short spoken sentences, no lists, no markdown, in the caller's "
    "language ({lang}). If the passages do not answer the question, answer null. Never guess "
    "prices, dates or policies that the passages do not state; prefer current passages over "
    "ones marked as former, archived or from past years."
)


class OpenAIComposer:
    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None = None,
        http_client: httpx2.AsyncClient | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        from openai import AsyncOpenAI

        self.model = model
        self.timeout = timeout
        self._client = AsyncOpenAI(
            api_key=api_key or "unused",
            base_url=base_url,
            timeout=timeout,
            max_retries=0,  # no time for a retry inside a phone call
            http_client=http_client,
        )

    async def compose(
        self, question: str, passages: Sequence[str], *, lang: str
    ) -> tuple[str, list[int]] | None:
        import openai

        numbered = "\n\n".join(f"[{i + 1}] {p}" for i, p in enumerate(passages))
        language = "French" if lang == "fr" else "English"
        try:
            response = await asyncio.wait_for(
                self._client.chat.completions.create(
                    model=self.model,
                    temperature=0,
                    max_tokens=160,
                    messages=[
                        {"role": "system", "content": SYSTEM_PROMPT.replace("{lang}", language)},
                        {
                            "role": "user",
                            "content": f"Passages:\n{numbered}\n\nQuestion: {question}",
                        },
                    ],
                ),
                timeout=self.timeout,
            )
        except (TimeoutError, openai.OpenAIError) as exc:
            log.warning("answer_llm_unavailable", error=type(exc).__name__)
            return None
        content = response.choices[0].message.content if response.choices else None
        return parse_reply(content or "", len(passages))


def parse_reply(content: str, passages: int) -> tuple[str, list[int]] | None:
    """{"answer": ..., "sources": [...]} → (answer, 0-based passage indexes), leniently: models
    wrap JSON in code fences or prose. None when there is no usable, cited answer."""
    match = re.search(r"\{.*\}", content, re.DOTALL)
    if match is None:
        return None
    try:
        data = json.loads(match.group())
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    answer = data.get("answer")
    sources = data.get("sources")
    if not isinstance(answer, str) or not answer.strip() or not isinstance(sources, list):
        return None
    used = sorted({int(s) - 1 for s in sources if isinstance(s, int) and 1 <= s <= passages})
    if not used:
        return None
    return " ".join(answer.split()), used


@functools.cache
def _composer(model: str, api_key: str | None, base_url: str | None) -> OpenAIComposer:
    return OpenAIComposer(model=model, api_key=api_key, base_url=base_url)


def get_composer(settings: Settings) -> Composer | None:
    """The configured chat model, or None (offline: extractive answers only)."""
    if not (settings.llm_base_url or settings.llm_api_key):
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return _composer(settings.llm_model or DEFAULT_MODEL, key, settings.llm_base_url)
