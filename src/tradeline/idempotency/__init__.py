"""Idempotency-Key on mutating API routes (see `service`)."""
