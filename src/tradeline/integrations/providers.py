"""Which provider serves each port: the real one when configured, the sandbox otherwise."""

from __future__ import annotations

from tradeline.integrations.sandbox import Sandbox
from tradeline.notification.ports import EmailSender
from tradeline.runtime import Runtime
from tradeline.telephony.ports import CallPlacer, SmsSender


def sms_sender(runtime: Runtime) -> SmsSender:
    settings = runtime.settings
    if settings.twilio_account_sid and settings.twilio_auth_token:
        from tradeline.integrations.twilio.rest import TwilioRest

        return TwilioRest(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
        )
    return Sandbox(runtime.pii)


def call_placer(runtime: Runtime) -> CallPlacer:
    settings = runtime.settings
    if settings.twilio_account_sid and settings.twilio_auth_token:
        from tradeline.integrations.twilio.rest import TwilioRest

        return TwilioRest(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
        )
    return Sandbox(runtime.pii)


def email_sender(runtime: Runtime) -> EmailSender:
    if runtime.settings.smtp_url:
        from tradeline.integrations.email.smtp import SmtpSender

        return SmtpSender(runtime.settings.smtp_url)
    return Sandbox(runtime.pii)


def sandbox(runtime: Runtime) -> Sandbox:
    return Sandbox(runtime.pii)
