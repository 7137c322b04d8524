"""Pure decisions about calls: status order, billing minutes, missed calls, recording retention."""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tradeline.organization.schemas import BusinessProfileSpec

TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
UNANSWERED = frozenset({"busy", "failed", "no-answer", "canceled"})
# Twilio's call statuses before the end, in the order a call goes through them.
PROGRESS = ("queued", "initiated", "ringing", "in-progress")
RECORDING_FINAL = frozenset({"completed", "absent", "failed", "deleted"})

DEFAULT_RETENTION_DAYS = 90
# After the call ends, how long the follow-up waits for a recording still being processed
# before it goes out without the link (the owner gets it within 120 s either way).
RECORDING_GRACE_S = 60


def rank(status: str) -> int:
    """Position in the call's life: a terminal status outranks all; unknown ones rank lowest."""
    if status in TERMINAL:
        return len(PROGRESS)
    return PROGRESS.index(status) if status in PROGRESS else -1


def advances(current: str, new: str) -> bool:
    """Whether a status callback moves the call forward. Callbacks arrive out of order and may
    repeat: a call never goes back (a late `ringing` after `in-progress` changes nothing), and
    the first terminal status is final."""
    if current in TERMINAL:
        return False
    return rank(new) > rank(current)


def sequence_of(params: Mapping[str, str]) -> int | None:
    raw = (params.get("SequenceNumber") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


def unsequenced_slot(status: str) -> int:
    """The timeline `sequence` of a status callback without SequenceNumber: negative (Twilio's
    own are >= 0) and fixed per status, so a repeat of the same status collides and is dropped."""
    known = (*PROGRESS, *sorted(TERMINAL))
    if status in known:
        return -1 - known.index(status)
    return -1000 - zlib.crc32(status.encode()) % 1_000_000


def billable_minutes(seconds: int) -> int:
    """Whole minutes, rounded up, as carriers bill each call; zero seconds bill nothing."""
    return math.ceil(seconds / 60) if seconds > 0 else 0


def usage_kind(direction: str) -> str:
    return "voice_minutes_out" if direction.startswith("outbound") else "voice_minutes_in"


@dataclass(frozen=True)
class CallOutcome:
    status: str
    voicemail_left: bool
    answered_by_person: bool
    caller_spoke: bool


def missed_reason(outcome: CallOutcome) -> str | None:
    """Why the caller should get a missed-call text, or None when the call was handled.

    Handled means a person took the call, or the receptionist heard the caller out. Missed: the
    call never connected (busy, no answer, failed, cancelled), ended in voicemail, or the caller
    hung up before saying anything.
    """
    if outcome.voicemail_left:
        return "voicemail"
    if outcome.status in UNANSWERED:
        return "unanswered"
    if outcome.answered_by_person or outcome.caller_spoke:
        return None
    return "hung_up_early"


def retention_days(profile: BusinessProfileSpec) -> int:
    """`recording.retention_days` when the profile carries it, else 90 days."""
    days = getattr(profile.recording, "retention_days", None)
    return int(days) if isinstance(days, int) and days > 0 else DEFAULT_RETENTION_DAYS


def retention_cutoff(profile: BusinessProfileSpec, now: datetime) -> datetime:
    """Recordings finished before this moment are past retention."""
    return now - timedelta(days=retention_days(profile))
