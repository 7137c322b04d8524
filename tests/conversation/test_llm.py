"""LLM mode against a local OpenAI-compatible fake that scripts tool calls, through the SDK."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.conversation.test_engine import CALLER, NOW, PROFILE, _kb
from tradeline.conversation.engine import TurnContext
from tradeline.conversation.llm import llm_turn
from tradeline.conversation.schemas import ActionKind, ConversationState
from tradeline.integrations.openai.chat import OpenAIChat


def _completion(
    content: str | None = None, tool_calls: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for i, (name, args) in enumerate((c["name"], c["args"]) for c in tool_calls)
        ]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
    }


def fake(
    script: list[dict[str, Any]],
    seen: list[dict[str, Any]] | None = None,
    delay: float = 0.0,
    status: int = 200,
) -> OpenAIChat:
    responses = iter(script)

    async def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/chat/completions")
        if seen is not None:
            seen.append(json.loads(request.content))
        if delay:
            await asyncio.sleep(delay)
        if status != 200:
            return httpx.Response(status, json={"error": {"message": "boom"}})
        return httpx.Response(200, json=next(responses))

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OpenAIChat(base_url="http://llm.test/v1", api_key="k", model="fake", http_client=client)


def ctx() -> TurnContext:
    return TurnContext.build(PROFILE, NOW, "sms", _kb)


def state() -> ConversationState:
    return ConversationState(caller_number=CALLER, language="en", last_question="job")


async def test_tool_arguments_pass_through_the_extractors() -> None:
    seen: list[dict[str, Any]] = []
    model = fake(
        [
            _completion(
                tool_calls=[
                    {
                        "name": "capture_fields",
                        "args": {
                            "caller_name": "Priya Sharma",
                            "callback_number": "four oh three 555 0199",
                            "email": "not an email",
                            "preferred_time": "tomorrow at 3pm",
                        },
                    }
                ]
            ),
            _completion("Thanks Priya, what's the address?"),
        ],
        seen,
    )
    result = await llm_turn(
        state(),
        "hi it's priya, my water heater is leaking, call 403 555 0199 tomorrow 3pm",
        ctx(),
        model,
    )
    assert result.reply == "Thanks Priya, what's the address?"
    assert (
        result.state.caller_name == "Priya Sharma"
        and result.state.callback_number == "+14035550199"
    )
    assert result.state.email is None  # refused by email-validator
    assert result.state.preferred_start is not None and result.state.preferred_start.hour == 15
    assert seen[0]["tools"] and seen[1]["messages"][-1]["role"] == "tool"
    assert "Bow Test Plumbing" in seen[0]["messages"][0]["content"]


async def test_invented_values_are_rejected() -> None:
    model = fake(
        [
            _completion(
                tool_calls=[
                    {
                        "name": "capture_fields",
                        "args": {"caller_name": "Yes this number is good", "callback_number": "12"},
                    }
                ]
            ),
            _completion("Okay!"),
        ]
    )
    result = await llm_turn(state(), "Yes this number is good", ctx(), model)
    # "this number" is the caller's own (the local engine); the model's "12" is not a number.
    assert result.state.caller_name is None and result.state.callback_number == CALLER


async def test_search_knowledge_and_transfer_tools() -> None:
    seen: list[dict[str, Any]] = []
    model = fake(
        [
            _completion(
                tool_calls=[
                    {"name": "search_knowledge", "args": {"query": "do you take e-transfer"}},
                    {"name": "transfer", "args": {}},
                ]
            ),
            _completion("Yes, we take e-transfer. Connecting you now."),
        ],
        seen,
    )
    result = await llm_turn(
        state(), "do you take e-transfer? and can I talk to someone", ctx(), model
    )
    assert "e-transfer" in seen[1]["messages"][-2]["content"]
    assert result.has(ActionKind.TRANSFER) and result.reply.startswith("Yes")


async def test_timeout_and_errors_fall_back_to_the_local_engine() -> None:
    slow = await llm_turn(
        state(), "my sink is clogged", ctx(), fake([_completion("late")], delay=10)
    )
    broken = await llm_turn(state(), "my sink is clogged", ctx(), fake([], status=500))
    for result in (slow, broken):
        assert result.reply != "late" and result.reply.endswith("?")
        assert result.state.job_summary is not None


async def test_a_new_emergency_never_waits_for_the_model() -> None:
    calls: list[dict[str, Any]] = []
    result = await llm_turn(state(), "I smell gas in the basement", ctx(), fake([], calls))
    assert calls == [] and result.has(ActionKind.ESCALATE)
