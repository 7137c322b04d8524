"""Twilio REST through the official SDK (outbound SMS and calls, recording deletion)."""

from __future__ import annotations

import asyncio
import uuid

import requests
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tradeline.telephony.ports import SendResult

# Every REST call runs in a worker thread and holds a job: without a timeout the SDK's requests
# session waits forever on a stalled connection (its default), and the job with it.
TWILIO_TIMEOUT_S = 10.0


class TwilioRest:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        base_url: str | None = None,
        timeout: float = TWILIO_TIMEOUT_S,
    ) -> None:
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if base_url:  # tests point the SDK at a loopback fake
            self.client.api.base_url = base_url

    async def send_sms(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        to: str,
        from_: str,
        body: str,
        status_callback: str | None,
    ) -> SendResult:
        try:
            message = await asyncio.to_thread(
                self.client.messages.create,
                to=to,
                from_=from_,
                body=body,
                **({"status_callback": status_callback} if status_callback else {}),
            )
        except TwilioRestException as exc:
            return SendResult(
                sid="", status="failed" if exc.status and exc.status < 500 else "unknown"
            )
        except requests.exceptions.ConnectTimeout:
            return SendResult(sid="", status="not_sent")  # no connection, nothing left
        except requests.exceptions.ConnectionError as exc:
            # Refused before connecting: provably not sent. A reset or a read timeout after
            # the request was written: it may have been accepted.
            return SendResult(sid="", status="not_sent" if _refused(exc) else "unknown")
        except OSError:
            # The request may have left: the outcome is unknown. Reconcile; never resend blindly.
            return SendResult(sid="", status="unknown")
        return SendResult(sid=str(message.sid), status=str(message.status or "queued"))

    async def place_call(
        self, session: AsyncSession, *, org_id: uuid.UUID, to: str, from_: str, twiml: str
    ) -> SendResult:
        try:
            call = await asyncio.to_thread(
                self.client.calls.create, to=to, from_=from_, twiml=twiml
            )
        except TwilioRestException as exc:
            return SendResult(
                sid="", status="failed" if exc.status and exc.status < 500 else "unknown"
            )
        except OSError:
            return SendResult(sid="", status="unknown")
        return SendResult(sid=str(call.sid), status=str(call.status or "queued"))

    async def delete_recording(self, session: AsyncSession, *, org_id: uuid.UUID, sid: str) -> bool:
        try:
            await asyncio.to_thread(self.client.recordings(sid).delete)
        except TwilioRestException as exc:
            # 404: deleted already (by us on an earlier run, or in Twilio's console) — gone.
            return bool(exc.status == 404)
        except OSError:
            return False  # unreachable: the purge tries again on its next run
        return True


def _refused(exc: requests.exceptions.ConnectionError) -> bool:
    reason = exc.args[0] if exc.args else None
    chain = [reason, getattr(reason, "reason", None)]
    return any(type(item).__name__ == "NewConnectionError" for item in chain)
