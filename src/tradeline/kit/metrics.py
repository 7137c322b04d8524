"""Prometheus metrics shared by the app (one registry per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_LATENCY = Histogram(
    "tradeline_http_request_duration_seconds",
    "Latency of HTTP requests by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HTTP_RESPONSES = Counter(
    "tradeline_http_responses_total", "HTTP responses by route and status", ["route", "status"]
)
JOBS = Gauge("tradeline_jobs", "Jobs in the queue by status", ["status"])
RATE_LIMITED = Counter(
    "tradeline_rate_limited_total", "Requests refused by a rate limit", ["scope"]
)
