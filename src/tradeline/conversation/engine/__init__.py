"""The local conversation engine (see `turn`): one caller utterance in, one short reply and
actions out; `cues` holds the phrase patterns it recognises."""

from tradeline.conversation.engine.turn import (
    LEAD_INTENTS,
    MAX_ASKS,
    TurnContext,
    _question_for,
    greeting,
    next_slot,
    resume_after_escalation,
    turn,
)

__all__ = [
    "LEAD_INTENTS",
    "MAX_ASKS",
    "TurnContext",
    "_question_for",
    "greeting",
    "next_slot",
    "resume_after_escalation",
    "turn",
]
