"""Text turn latency with the local engine: p50/p95 of `engine.turn` over varied caller lines,
against a baseline (an empty async call) measured in the same run.

    .venv/bin/python bench/conversation_turn.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from tradeline.conversation.engine import TurnContext, turn
from tradeline.conversation.schemas import ConversationState
from tradeline.organization.schemas import BusinessProfileSpec

PROFILE = BusinessProfileSpec.model_validate(
    {
        "name": "Bench Plumbing",
        "phone_numbers": ["+15875550100"],
        "timezone": "America/Edmonton",
        "country": "CA",
        "languages": ["en", "fr"],
        "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-17:00"),
        "service_area": ["Calgary"],
        "emergency_keywords": ["flood"],
    }
)
CONVERSATIONS = [
    [
        "Hi, my kitchen sink is clogged and draining slowly",
        "It's Marc Tremblay",
        "yes this number works",
        "14 Elm Street NW",
        "friday morning",
        "marc.tremblay@example.ca",
    ],
    [
        "there's water everywhere, a pipe burst",
        "Sofia Rossi",
        "call me at four zero three five five five zero one seven one",
    ],
    [
        "Bonjour, mon chauffe-eau fuit. Je m'appelle Julie Gagnon.",
        "Vous pouvez me rappeler au 403-555-0171",
        "demain après-midi",
    ],
    ["What are your hours on Saturday?", "do you go out to Okotoks?", "no thanks"],
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(rounds: int = 60) -> None:
    zone = ZoneInfo(PROFILE.timezone)
    ctx = TurnContext.build(PROFILE, datetime(2026, 11, 23, 10, tzinfo=zone), "sms", None)

    async def nothing() -> None:
        return None

    baseline, samples = [], []
    for _ in range(rounds):
        for lines in CONVERSATIONS:
            state = ConversationState(caller_number="+14035550123")
            for line in lines:
                start = time.perf_counter()
                await nothing()
                baseline.append(time.perf_counter() - start)
                start = time.perf_counter()
                result = await turn(state, line, ctx)
                samples.append(time.perf_counter() - start)
                state = result.state
    warm = samples[len(CONVERSATIONS) * 6 :]  # first round pays dateparser's per-day cache
    ms = [s * 1000 for s in warm]
    base_us = statistics.median(baseline) * 1e6
    print(
        f"engine.turn over {len(ms)} turns: p50 {pct(ms, 0.5):.2f} ms, p95 {pct(ms, 0.95):.2f} ms, "
        f"p99 {pct(ms, 0.99):.2f} ms, max {max(ms):.2f} ms; baseline empty await p50 {base_us:.2f} µs; "
        f"ratio p50/baseline {pct(ms, 0.5) * 1000 / max(base_us, 1e-9):.0f}x"
    )
    cold = samples[: len(CONVERSATIONS) * 6]
    print(
        f"first round (cold caches): p50 {pct([c * 1000 for c in cold], 0.5):.2f} ms, max {max(cold) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
