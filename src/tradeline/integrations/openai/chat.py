"""OpenAI-compatible chat completions through the official `openai` SDK (OpenAI, Azure, Ollama,
vLLM, llama.cpp server — anything speaking the same API at TRADELINE_LLM_BASE_URL)."""

from __future__ import annotations

import json
from typing import Any

from openai import AsyncOpenAI

from tradeline.conversation.ports import ChatResult, ToolCall


class OpenAIChat:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        http_client: Any = None,  # tests inject a client over a fake transport
    ) -> None:
        self.model = model
        # No SDK retries: the engine has a 2.5 s budget and its own fallback.
        self.client = AsyncOpenAI(
            base_url=base_url, api_key=api_key, max_retries=0, http_client=http_client
        )

    async def complete(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], *, budget_s: float
    ) -> ChatResult:
        # Messages and tools are plain JSON-shaped dicts; the SDK's TypedDict overloads can't see that.
        response = await self.client.chat.completions.create(  # type: ignore[call-overload]
            model=self.model,
            messages=messages,
            tools=tools,
            tool_choice="auto",
            temperature=0.2,
            max_tokens=300,
            timeout=budget_s,
        )
        message = response.choices[0].message
        calls = []
        for call in message.tool_calls or []:
            function = getattr(call, "function", None)
            if function is None:
                continue
            try:
                arguments = json.loads(function.arguments or "{}")
            except json.JSONDecodeError:
                arguments = {}
            calls.append(
                ToolCall(
                    id=call.id,
                    name=function.name,
                    arguments=arguments if isinstance(arguments, dict) else {},
                )
            )
        return ChatResult(content=message.content, tool_calls=calls)
