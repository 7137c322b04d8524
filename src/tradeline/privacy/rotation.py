"""PII key rotation: re-encrypt every sealed value under the primary key, in resumable batches.

Each batch is its own committed transaction, and old keys stay in the key ring until rotation is
finished, so a rotation killed at any instant (kill -9) leaves every value readable; running it
again continues where it stopped. The periodic job `resume_rotation` finishes interrupted runs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.config import Settings
from tradeline.db import set_org
from tradeline.kit.crypto import KeyRing
from tradeline.logging import get_logger
from tradeline.models import ENCRYPTED_COLUMNS, KeyRotation
from tradeline.organization import repository as org_repository
from tradeline.privacy.service import NO_ORG, keyring_path
from tradeline.runtime import Runtime

log = get_logger(__name__)

# Global tables with sealed columns, bound to the nil organization.
GLOBAL_SEALED: dict[str, tuple[str, ...]] = {"users": ("totp_secret_enc",)}


def prepare_rotation(settings: Settings) -> str:
    """Development: add a new primary key to the key file. Production: the environment's first
    key is the primary — put the new key first in TRADELINE_ENCRYPTION_KEYS, keep the old ones."""
    if settings.encryption_keys is not None:
        blind = settings.blind_index_key.get_secret_value() if settings.blind_index_key else None
        return KeyRing.from_env(settings.encryption_keys.get_secret_value(), blind).primary_id
    path = keyring_path(settings)
    ring = KeyRing.load_or_create_file(path).with_new_primary(path)
    return ring.primary_id


def _off_primary(column: str, primary_id: str) -> tuple[str, dict[str, bytes]]:
    # Blob layout: version byte, key-id length byte, key id. Compare length+id in SQL so only
    # rows still needing work are read.
    prefix = bytes([len(primary_id)]) + primary_id.encode()
    return (
        f"({column} IS NOT NULL AND substring({column} from 2 for {len(prefix)}) <> :p_{column})",
        {f"p_{column}": prefix},
    )


async def _rotate_batch(
    session: AsyncSession,
    runtime: Runtime,
    org_id: uuid.UUID,
    table: str,
    columns: tuple[str, ...],
    batch: int,
) -> int:
    primary = runtime.pii.vault.keyring.primary_id
    clauses, params = [], {}
    for column in columns:
        clause, param = _off_primary(column, primary)
        clauses.append(clause)
        params.update(param)
    scope = "" if table in GLOBAL_SEALED else "organization_id = :org AND "
    rows = (
        await session.execute(
            text(
                f"SELECT id, {', '.join(columns)} FROM {table} "  # noqa: S608 - names from our own registry
                f"WHERE {scope}({' OR '.join(clauses)}) LIMIT :n FOR UPDATE SKIP LOCKED"
            ),
            {**params, "org": org_id, "n": batch},
        )
    ).all()
    changed = 0
    for row in rows:
        values: dict[str, bytes] = {}
        for index, column in enumerate(columns, start=1):
            blob = row[index]
            if blob is None or not runtime.pii.vault.needs_rotation(blob):
                continue
            binding = {"org_id": org_id, "table": table, "row_id": row[0], "column": column}
            plain = runtime.pii.vault.decrypt(bytes(blob), **binding)
            values[column] = runtime.pii.vault.encrypt(plain, **binding)
        if values:
            sets = ", ".join(f"{c} = :{c}" for c in values)
            await session.execute(
                text(f"UPDATE {table} SET {sets} WHERE id = :id"),  # noqa: S608 - our own names
                {**values, "id": row[0]},
            )
            changed += len(values)
    return changed


async def _rotate_scope(
    runtime: Runtime,
    rotation_id: uuid.UUID,
    org_id: uuid.UUID,
    tables: dict[str, tuple[str, ...]],
    batch: int,
) -> int:
    total = 0
    for table, columns in tables.items():
        while True:
            async with runtime.maker() as session, session.begin():
                await set_org(session, None if org_id == NO_ORG else org_id)
                done = await _rotate_batch(session, runtime, org_id, table, columns, batch)
                if done:
                    await session.execute(
                        update(KeyRotation)
                        .where(KeyRotation.id == rotation_id)
                        .values(rows_done=KeyRotation.rows_done + done)
                    )
            total += done
            if done == 0:
                break
    return total


async def rotate_all(runtime: Runtime, *, batch_size: int = 500) -> int:
    """Re-encrypt everything not yet on the primary key; returns how many values changed."""
    primary = runtime.pii.vault.keyring.primary_id
    async with runtime.maker() as session, session.begin():
        existing = (
            await session.execute(
                select(KeyRotation).where(
                    KeyRotation.target_key_id == primary, KeyRotation.status == "running"
                )
            )
        ).scalar_one_or_none()
        rotation = existing or KeyRotation(target_key_id=primary)
        session.add(rotation)
        orgs = [o.id for o in await org_repository.list_all(session)]
    total = 0
    for org_id in orgs:
        total += await _rotate_scope(runtime, rotation.id, org_id, ENCRYPTED_COLUMNS, batch_size)
    total += await _rotate_scope(runtime, rotation.id, NO_ORG, GLOBAL_SEALED, batch_size)
    async with runtime.maker() as session, session.begin():
        await session.execute(
            update(KeyRotation)
            # Also closes runs aimed at an older primary: this pass moved everything further.
            .where(KeyRotation.status == "running")
            .values(status="done", finished_at=datetime.now(UTC))
        )
    log.info("key_rotation_finished", key_id=primary, values=total)
    return total


async def resume_rotation(runtime: Runtime) -> int:
    """Periodic job: finish a rotation that was interrupted (status still `running`)."""
    async with runtime.maker() as session:
        pending = (
            await session.execute(select(KeyRotation.id).where(KeyRotation.status == "running"))
        ).first()
    if pending is None:
        return 0
    return await rotate_all(runtime)
