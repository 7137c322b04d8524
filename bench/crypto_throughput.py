"""PII vault throughput: sealing and opening lead rows (6 columns each), against a baseline of
the same loop doing only the associated-data bookkeeping, measured in the same run.

    .venv/bin/python bench/crypto_throughput.py
"""

from __future__ import annotations

import time
import uuid

from tradeline.kit.crypto import KeyRing, Vault

COLUMNS = (
    "caller_number_enc",
    "caller_name_enc",
    "callback_number_enc",
    "email_enc",
    "job_summary_enc",
    "address_enc",
)
VALUES = (
    "+14035550199",
    "Jordan Lee",
    "+14035550199",
    "jordan.lee@example.com",
    "Water heater leaking in the basement, needs a replacement quote",
    "221 Coach Hill Road SW",
)


def main(rows: int = 20_000) -> None:
    vault = Vault(KeyRing.generate())
    org = uuid.uuid4()
    ids = [uuid.uuid4() for _ in range(rows)]

    start = time.perf_counter()
    for row_id in ids:
        for column, value in zip(COLUMNS, VALUES, strict=True):
            _ = (org, "leads", row_id, column, value)
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    sealed = [
        [
            vault.encrypt(v, org_id=org, table="leads", row_id=r, column=c)
            for c, v in zip(COLUMNS, VALUES, strict=True)
        ]
        for r in ids
    ]
    seal_s = time.perf_counter() - start

    start = time.perf_counter()
    for row_id, blobs in zip(ids, sealed, strict=True):
        for column, blob in zip(COLUMNS, blobs, strict=True):
            vault.decrypt(blob, org_id=org, table="leads", row_id=row_id, column=column)
    open_s = time.perf_counter() - start

    start = time.perf_counter()
    for value in VALUES[:1] * rows:
        vault.blind_index(value, org_id=org, kind="phone")
    index_s = time.perf_counter() - start

    print(f"{rows} lead rows × {len(COLUMNS)} sealed columns")
    print(f"encrypt: {rows / seal_s:,.0f} rows/s ({rows * len(COLUMNS) / seal_s:,.0f} values/s)")
    print(f"decrypt: {rows / open_s:,.0f} rows/s ({rows * len(COLUMNS) / open_s:,.0f} values/s)")
    print(f"blind index (HMAC-SHA256): {rows / index_s:,.0f} values/s")
    print(
        f"baseline loop without crypto: {rows / baseline:,.0f} rows/s (crypto cost = {100 * (1 - baseline / seal_s):.0f} % of encrypt time)"
    )


if __name__ == "__main__":
    main()
