"""A call's life after the TwiML: status callbacks, recordings, usage, and the end of the call.

Status callbacks arrive more than once and out of order. Each is kept once on the call's
timeline (`call_events`), keyed on (CallSid, SequenceNumber) — or (CallSid, CallStatus) when
Twilio sends no sequence — and the call row only ever moves forward (`policy.advances`). The
callbacks of one call are serialised by a row lock on the call, so the end of a call is handled
exactly once: usage, the missed-call text-back, and the owner's follow-up job.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.kit.phone import InvalidPhoneNumber, to_e164
from tradeline.logging import get_logger
from tradeline.models import Call
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime
from tradeline.telephony import policy, recordings, repository

log = get_logger(__name__)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else None


async def status_callback(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> None:
    call = await repository.get_call(session, org_id, params.get("CallSid", ""), lock=True)
    if call is None:
        # Calls we never took (rejected, rate limited, unknown) leave no trace, and get no text.
        log.info("voice_status_unknown_call", status=params.get("CallStatus"))
        return
    status = (params.get("CallStatus") or "").strip()[:20]
    sequence = policy.sequence_of(params)
    duration = _int(params.get("CallDuration"))
    fresh = await repository.add_event(
        session,
        call,
        "status",
        {
            "status": status,
            "sequence": sequence,
            "duration": duration,
            "timestamp": (params.get("Timestamp") or "")[:40] or None,
        },
        sequence=sequence if sequence is not None else policy.unsequenced_slot(status),
        dedupe_key=f"seq:{sequence}" if sequence is not None else f"status:{status}"[:100],
    )
    if not fresh:
        return
    if sequence is not None and sequence > call.last_sequence:
        call.last_sequence = sequence
    if not policy.advances(call.status, status):
        await session.flush()
        return
    call.status = status
    if status in policy.TERMINAL:
        call.ended_at = datetime.now(UTC)
        if duration is not None:
            call.duration_seconds = duration
        await session.flush()
        await _ended(session, runtime, call, profile, params)
    await session.flush()


async def _ended(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> None:
    """Once per call: bill the minutes, text back a missed caller, queue the owner's follow-up."""
    org_id = call.organization_id
    minutes = policy.billable_minutes(call.duration_seconds or 0)
    if minutes:
        await repository.add_usage(
            session,
            org_id,
            kind=policy.usage_kind(call.direction),
            quantity=minutes,
            ref=call.call_sid,
        )
    kinds = await repository.event_kinds(session, call)
    caller_spoke = bool(
        call.conversation_id
        and await repository.caller_turns(session, org_id, call.conversation_id)
    )
    outcome = policy.CallOutcome(
        status=call.status,
        voicemail_left="voicemail" in kinds,
        answered_by_person="dial_completed" in kinds,
        caller_spoke=caller_spoke,
    )
    reason = policy.missed_reason(outcome)
    texted = False
    if reason is not None and not call.direction.startswith("outbound"):
        texted = await _text_back(session, runtime, call, profile, params)
    await repository.add_event(
        session,
        call,
        "ended",
        {"status": call.status, "minutes": minutes, "missed": reason, "texted_back": texted},
        sequence=0,
    )
    await _queue_follow_up(session, call, kinds)


async def _text_back(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> bool:
    """The SMS domain's missed-call text-back, when it is installed (it decides consent, opt-out
    and quiet hours; this only says the call was missed)."""
    caller = _caller(runtime, call, profile, params)
    if caller is None:
        return False  # withheld caller ID: nobody to text
    sms = importlib.import_module("tradeline.sms.service")
    text_back = getattr(sms, "missed_call_text_back", None)
    if text_back is None:
        return False
    sent = bool(
        await text_back(
            session,
            runtime,
            call.organization_id,
            profile,
            caller=caller,
            call_sid=call.call_sid,
            conversation_id=call.conversation_id,
        )
    )
    if sent:
        await repository.add_event(session, call, "text_back", {}, sequence=0)
    return sent


def _caller(
    runtime: Runtime, call: Call, profile: BusinessProfileSpec, params: Mapping[str, str]
) -> str | None:
    stored = runtime.pii.open(
        call.from_enc,
        org_id=call.organization_id,
        table="calls",
        row_id=call.id,
        column="from_enc",
    )
    if stored:
        return stored
    try:
        return to_e164(params.get("From", ""), profile.country)
    except InvalidPhoneNumber:
        return None


async def _queue_follow_up(session: AsyncSession, call: Call, kinds: set[str]) -> None:
    """Now, unless a recording or voicemail is still on its way: then the recording's own
    callback queues it, and this one is the fallback that goes out without it."""
    from tradeline.telephony.tasks import defer_post_call

    held = await recordings_pending(session, call, kinds)
    await defer_post_call(session, call, delay_s=policy.RECORDING_GRACE_S if held else 0)


async def recordings_pending(session: AsyncSession, call: Call, kinds: set[str]) -> bool:
    if "voicemail_prompt" in kinds and "voicemail" not in kinds:
        return True  # the <Record> action may land after the call's last status
    if not call.recorded:
        return False
    rows = await repository.recordings_of(session, call)
    return not any(r.status in policy.RECORDING_FINAL for r in rows)


async def recording_status(
    session: AsyncSession,
    runtime: Runtime,
    *,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    params: Mapping[str, str],
) -> None:
    """`/twilio/voice/recording-status`: keep the recording; if the call has ended and was
    waiting for it, send the follow-up now."""
    call = await repository.get_call(session, org_id, params.get("CallSid", ""), lock=True)
    row = await recordings.store(session, org_id=org_id, call=call, params=params)
    if call is not None and row is not None and row.status in policy.RECORDING_FINAL:
        await follow_up_if_ended(session, call)


async def follow_up_if_ended(session: AsyncSession, call: Call) -> None:
    if call.ended_at is None:
        return
    kinds = await repository.event_kinds(session, call)
    if "post_call" in kinds:
        return  # already sent: a late recording does not send a second email
    from tradeline.telephony.tasks import defer_post_call

    await defer_post_call(session, call, delay_s=0)


async def dial_finished(
    session: AsyncSession, call: Call, params: Mapping[str, str]
) -> tuple[str, bool]:
    """A <Dial> action: on the timeline once per dialled leg, and its minutes billed outbound.
    Returns (DialCallStatus, whether this is the first time we hear of this leg)."""
    status = (params.get("DialCallStatus") or "failed").strip()[:20]
    leg = (params.get("DialCallSid") or "").strip()
    duration = _int(params.get("DialCallDuration")) or 0
    fresh = await repository.add_event(
        session,
        call,
        f"dial_{status}",
        {"duration": duration},
        dedupe_key=f"dial:{leg}"[:100] if leg else None,
    )
    minutes = policy.billable_minutes(duration)
    if fresh and minutes:
        await repository.add_usage(
            session,
            call.organization_id,
            kind="voice_minutes_out",
            quantity=minutes,
            ref=leg or call.call_sid,
        )
    return status, fresh
