"""Outbound webhooks per business: Slack, Microsoft Teams and generic signed HTTP endpoints."""
