"""Owner notifications: decided inside the request's transaction, sent by jobs after commit.

What the owner gets (docs/examples/README.md):
- an emergency: a text to `notify.sms` and an email lead card at once (`alert_owner_emergency`);
- a web-form lead: an email lead card (`notify_new_lead`);
- after a call: the telephony post-call email (lead, transcript, recording, voicemail);
- Slack / Teams messages and signed webhooks for the events each subscription chose
  (`notify_call_completed` announces ended calls and voicemails to them).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.integrations.webhooks.service import emit
from tradeline.organization.schemas import BusinessProfileSpec
from tradeline.runtime import Runtime


async def alert_owner_emergency(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    *,
    conversation_id: uuid.UUID | None,
    reason: str | None,
) -> None:
    """Text `notify.sms` and email the owner at once — as a job, so it happens iff we commit.
    Subscriptions to `call.emergency` (e.g. a Slack channel) hear of it too."""
    from tradeline.notification.tasks import alert_emergency
    from tradeline.worker.app import enqueue

    reason = (reason or "emergency")[:80]
    if conversation_id is not None:
        await emit(session, org_id, "call.emergency", conversation_id, meta={"reason": reason})
    if not (profile.notify.sms or profile.notify.email):
        return
    await enqueue(
        session,
        alert_emergency,
        org_id=str(org_id),
        conversation_id=str(conversation_id) if conversation_id else None,
        reason=reason,
    )


async def notify_new_lead(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    profile: BusinessProfileSpec,
    lead_id: uuid.UUID,
) -> None:
    """Email the owner a lead card — after commit, by a job (at most one card per lead)."""
    from tradeline.notification.tasks import new_lead_email
    from tradeline.worker.app import enqueue

    if profile.notify.email:
        await enqueue(session, new_lead_email, org_id=str(org_id), lead_id=str(lead_id))


async def notify_call_completed(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    call_id: uuid.UUID,
    *,
    voicemail: bool = False,
) -> int:
    """A call ended (and, with `voicemail`, left a message): tell the subscriptions
    (`call.completed`, `call.voicemail`). The owner's own email after a call is the telephony
    post-call job's. Returns how many deliveries were queued."""
    queued = await emit(session, org_id, "call.completed", call_id)
    if voicemail:
        queued += await emit(session, org_id, "call.voicemail", call_id)
    return queued
