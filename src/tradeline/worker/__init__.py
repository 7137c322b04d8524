"""Background jobs on procrastinate, in the same Postgres as everything else.

`app.py` holds the procrastinate App, the default retry policy and `enqueue` (transactional
deferral through the caller's session); `service.py` runs workers (in-process under `serve`,
or `tradeline worker`); `schedules.py` holds the periodic maintenance jobs.
"""
