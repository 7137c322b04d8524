"""What a webhook event says: the generic JSON payload, rendered from the committed rows.

```
{"id": "<event uuid>", "type": "lead.created", "created_at": "<ISO-8601 UTC>",
 "organization": {"id": "<uuid>", "name": "<business>"},
 "data": {"lead": {...the Lead of CONTRACTS §3, unmasked...}, ...}}
```

`data` by type: `lead.*` → `lead` (+ `changes` for updates); `appointment.*` → `appointment`
and `lead`; `call.completed` / `call.voicemail` → `call` and `lead` (null when the call made no
lead); `call.emergency` → `conversation_id`, `reason` and `lead`. A subject deleted since the
event (a lead erased on request) renders as `{"id": …, "deleted": true}`.
"""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.appointment import repository as appointments
from tradeline.appointment.service import present as present_appointment
from tradeline.lead import repository as leads
from tradeline.lead.service import present as present_lead
from tradeline.lead.service import system_principal
from tradeline.models import Call, Organization
from tradeline.models.lead_extra import WebhookDelivery
from tradeline.notification.cards import call_url
from tradeline.runtime import Runtime


def _gone(subject_id: uuid.UUID) -> dict[str, Any]:
    return {"id": str(subject_id), "deleted": True}


async def _lead(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, lead_id: uuid.UUID | None
) -> dict[str, Any] | None:
    if lead_id is None:
        return None
    lead = await leads.get(session, org_id, lead_id)
    org = await session.get(Organization, org_id)
    if lead is None or org is None:
        return _gone(lead_id)
    view = present_lead(lead, runtime.pii, system_principal(org_id), ZoneInfo(org.timezone))
    return view.model_dump(mode="json")


async def _conversation_lead(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, conversation_id: uuid.UUID | None
) -> dict[str, Any] | None:
    if conversation_id is None:
        return None
    lead = await leads.by_conversation(session, org_id, conversation_id)
    return await _lead(session, runtime, org_id, lead.id if lead else None)


async def call_data(
    session: AsyncSession, runtime: Runtime, org_id: uuid.UUID, call: Call, *, voicemail: bool
) -> dict[str, Any]:
    def sealed(column: str) -> str | None:
        return runtime.pii.open(
            getattr(call, column), org_id=org_id, table="calls", row_id=call.id, column=column
        )

    data: dict[str, Any] = {
        "call_sid": call.call_sid,
        "direction": call.direction,
        "status": call.status,
        "from": sealed("from_enc"),
        "to": call.to_number,
        "duration": call.duration_seconds,
        "started_at": call.created_at.isoformat(),
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "voicemail": call.recording_url is not None,
        "recording_url": call.recording_url,
        "conversation_id": str(call.conversation_id) if call.conversation_id else None,
        "transcript_url": call_url(runtime.settings, call.call_sid),
    }
    if voicemail:
        data["voicemail_transcript"] = sealed("voicemail_transcript_enc")
    return data


async def render(
    session: AsyncSession, runtime: Runtime, delivery: WebhookDelivery
) -> dict[str, Any]:
    org_id, subject = delivery.organization_id, delivery.subject_id
    org = await session.get(Organization, org_id)
    kind = delivery.event_type.split(".", 1)[0]
    data: dict[str, Any]
    if kind == "lead":
        data = {"lead": await _lead(session, runtime, org_id, subject)}
        if "changes" in delivery.meta:
            data["changes"] = delivery.meta["changes"]
    elif kind == "appointment":
        appointment = await appointments.get(session, org_id, subject)
        if appointment is None or org is None:
            data = {"appointment": _gone(subject), "lead": None}
        else:
            view = present_appointment(
                appointment, runtime.pii, system_principal(org_id), ZoneInfo(org.timezone)
            )
            data = {
                "appointment": view.model_dump(mode="json"),
                "lead": await _lead(session, runtime, org_id, appointment.lead_id),
            }
    elif delivery.event_type == "call.emergency":
        data = {
            "conversation_id": str(subject),
            "reason": delivery.meta.get("reason"),
            "lead": await _conversation_lead(session, runtime, org_id, subject),
        }
    else:
        call = await session.get(Call, subject)
        if call is None or call.organization_id != org_id:
            data = {"call": _gone(subject), "lead": None}
        else:
            data = {
                "call": await call_data(
                    session,
                    runtime,
                    org_id,
                    call,
                    voicemail=delivery.event_type == "call.voicemail",
                ),
                "lead": await _conversation_lead(session, runtime, org_id, call.conversation_id),
            }
    return envelope(
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        occurred_at=delivery.meta.get("occurred_at") or delivery.created_at.isoformat(),
        org_id=org_id,
        org_name=org.name if org else None,
        data=data,
    )


def envelope(
    *,
    event_id: uuid.UUID,
    event_type: str,
    occurred_at: str,
    org_id: uuid.UUID,
    org_name: str | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The outer shape every event shares (see the module docstring)."""
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": occurred_at,
        "organization": {"id": str(org_id), "name": org_name},
        "data": data,
    }
