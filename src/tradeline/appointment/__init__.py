"""Appointments: availability from business hours, race-safe booking, invites and reminders.

For the conversation engine (and anyone else), two calls:

    slots = await free_slots(session, org_id, profile, start=now, days=7, duration_min=60)
    appointment = await book(session, runtime, org_id, lead_id=lead.id, start=slots[0].start)

Both live in `tradeline.appointment.service`; see their docstrings.
"""
