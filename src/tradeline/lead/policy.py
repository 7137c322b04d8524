"""Pure decisions about leads: which status changes are allowed."""

from __future__ import annotations

from typing import Final

from tradeline.exceptions import Unprocessable

# new → contacted → booked → won / lost. A lead may be booked straight from the first call,
# dropped (lost) at any open stage, put back to contacted when a booking falls through, and
# reopened from lost. Won is final.
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "new": frozenset({"contacted", "booked", "lost"}),
    "contacted": frozenset({"booked", "won", "lost"}),
    "booked": frozenset({"contacted", "won", "lost"}),
    "won": frozenset(),
    "lost": frozenset({"contacted"}),
}


class InvalidTransition(Unprocessable):
    """The lead cannot go from its status to the one asked for."""


def check_transition(current: str, target: str) -> None:
    allowed = TRANSITIONS.get(current, frozenset())
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "none (final)"
        raise InvalidTransition(
            f"status: a {current} lead cannot become {target}; allowed from {current}: {options}"
        )


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
