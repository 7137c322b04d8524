"""Call recordings: stored from Twilio's callbacks, linked in the owner's follow-up, and deleted
at Twilio once past the business's retention (90 days unless the profile says otherwise)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.db import tenant_session
from tradeline.logging import get_logger
from tradeline.models import Call
from tradeline.models.telephony import CallRecording
from tradeline.organization import repository as organizations_repository
from tradeline.organization import service as organizations
from tradeline.runtime import Runtime
from tradeline.telephony import policy, repository
from tradeline.telephony.ports import RecordingStore

log = get_logger(__name__)

# Twilio's RecordingSource values, shortened for the timeline.
SOURCES = {
    "RecordVerb": "voicemail",
    "DialVerb": "dial",
    "StartCallRecordingTwiML": "call",
    "StartCallRecordingAPI": "call",
    "OutboundAPI": "call",
    "Conference": "conference",
}
# Recordings deleted per business per run: bounds one transaction; the rest go next run.
PURGE_BATCH = 200


def recording_store(runtime: Runtime) -> RecordingStore:
    """Twilio's REST API when credentials are configured, the sandbox outbox otherwise."""
    settings = runtime.settings
    if settings.twilio_account_sid and settings.twilio_auth_token:
        from tradeline.integrations.twilio.rest import TwilioRest

        return TwilioRest(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
        )
    from tradeline.integrations.twilio.sandbox import SandboxRecordings

    return SandboxRecordings(runtime.pii)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else None


async def store(
    session: AsyncSession,
    *,
    org_id: uuid.UUID,
    call: Call | None,
    params: Mapping[str, str],
    source: str | None = None,
    status: str | None = None,
) -> CallRecording | None:
    """Record what Twilio told us about one recording (status callback or a <Record> action).

    Idempotent and monotonic: repeats change nothing, and a final status (completed, absent,
    failed) is never overwritten by a late in-progress.
    """
    sid = (params.get("RecordingSid") or "").strip()
    if not sid:
        return None
    status = (status or params.get("RecordingStatus") or "completed").strip()[:20]
    row = await repository.claim_recording(
        session,
        org_id,
        recording_sid=sid,
        call_sid=params.get("CallSid", ""),
        call_id=call.id if call else None,
        source=source or SOURCES.get(params.get("RecordingSource", ""), "unknown"),
    )
    if row.call_id is None and call is not None:
        row.call_id = call.id
    if row.deleted_at is not None:
        return row
    if call is not None:
        await repository.add_event(
            session,
            call,
            f"recording_{status}",
            {"recording_sid": sid, "source": row.source},
            dedupe_key=f"rec:{sid}:{status}"[:100],
        )
    if row.status in policy.RECORDING_FINAL and row.status != status:
        return row  # the first final status stands; a late in-progress changes nothing
    row.status = status
    if params.get("RecordingUrl"):
        row.url = params["RecordingUrl"][:500]
    duration = _int(params.get("RecordingDuration"))
    if duration is not None:
        row.duration_seconds = duration
    if status in policy.RECORDING_FINAL and row.completed_at is None:
        row.completed_at = datetime.now(UTC)
    await session.flush()
    return row


def link(recording: CallRecording) -> str | None:
    """What the owner can open: Twilio serves the recording as MP3 at its URL + `.mp3`."""
    if recording.url is None or recording.deleted_at is not None:
        return None
    return recording.url if recording.url.endswith((".mp3", ".wav")) else recording.url + ".mp3"


async def purge_business(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    *,
    now: datetime,
    store_: RecordingStore | None = None,
) -> int:
    """Delete, at the provider and then here, this business's recordings past retention."""
    profile = await organizations.get_profile(session, org_id)
    cutoff = policy.retention_cutoff(profile, now)
    deleter = store_ or recording_store(runtime)
    deleted = 0
    for recording in await repository.expired_recordings(session, org_id, cutoff, PURGE_BATCH):
        if not await deleter.delete_recording(session, org_id=org_id, sid=recording.recording_sid):
            log.warning("recording_delete_failed", recording_sid=recording.recording_sid)
            continue
        if recording.url:
            await repository.forget_recording_url(session, org_id, recording.url)
        recording.deleted_at = now
        recording.status = "deleted"
        recording.url = None
        if recording.call_id is not None:
            call = await repository.get_call_by_id(session, org_id, recording.call_id)
            if call is not None:
                await repository.add_event(
                    session,
                    call,
                    "recording_deleted",
                    {"recording_sid": recording.recording_sid, "reason": "retention"},
                    dedupe_key=f"rec:{recording.recording_sid}:deleted"[:100],
                )
        deleted += 1
    await session.flush()
    return deleted


async def purge_expired(runtime: Runtime, *, now: datetime | None = None) -> int:
    """Every business in turn, each in its own tenant transaction (RLS applies throughout)."""
    now = now or datetime.now(UTC)
    async with tenant_session(runtime.maker, None) as session:
        org_ids = [org.id for org in await organizations_repository.list_all(session)]
    total = 0
    for org_id in org_ids:
        try:
            async with tenant_session(runtime.maker, org_id) as session:
                count = await purge_business(session, runtime, org_id, now=now)
        except Exception:
            # One business's broken profile or provider error must not stop the others.
            log.exception("recording_purge_failed", org_id=str(org_id))
            continue
        if count:
            log.info("recordings_purged", org_id=str(org_id), count=count)
        total += count
    return total
