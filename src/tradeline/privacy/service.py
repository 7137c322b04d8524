"""The PII vault as the domains use it: seal/open columns, blind indexes, audited reveals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tradeline.config import Settings
from tradeline.kit.crypto import KeyRing, Vault
from tradeline.models import AuditLog

# Global rows (users' TOTP secrets) bind to the nil organization.
NO_ORG = uuid.UUID(int=0)


def keyring_path(settings: Settings) -> Path:
    return settings.resolved_data_dir / "keys" / "pii-keys.json"


def load_keyring(settings: Settings) -> KeyRing:
    """Production keys from the environment; development keys generated into the data dir."""
    if settings.encryption_keys is not None:
        blind = settings.blind_index_key.get_secret_value() if settings.blind_index_key else None
        return KeyRing.from_env(settings.encryption_keys.get_secret_value(), blind)
    path = keyring_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return KeyRing.load_or_create_file(path)


class Pii:
    """Column-level encryption bound to (organization, table, row, column)."""

    def __init__(self, vault: Vault, reload: Callable[[], KeyRing] | None = None) -> None:
        self.vault = vault
        self._reload = reload

    def seal(
        self, value: str | None, *, org_id: uuid.UUID, table: str, row_id: uuid.UUID, column: str
    ) -> bytes | None:
        if value is None:
            return None
        return self.vault.encrypt(value, org_id=org_id, table=table, row_id=row_id, column=column)

    def open(
        self, blob: bytes | None, *, org_id: uuid.UUID, table: str, row_id: uuid.UUID, column: str
    ) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        if (
            self._reload is not None
            and self.vault.key_id_of(blob) not in self.vault.keyring.key_ids
        ):
            # Another process (`tradeline keys rotate`) added a key since we loaded ours.
            self.vault = Vault(self._reload())
        return self.vault.decrypt(blob, org_id=org_id, table=table, row_id=row_id, column=column)

    def phone_index(self, org_id: uuid.UUID, e164: str) -> bytes:
        return self.vault.blind_index(e164, org_id=org_id, kind="phone")

    def email_index(self, org_id: uuid.UUID, email: str) -> bytes:
        return self.vault.blind_index(email, org_id=org_id, kind="email")


async def audit_reveal(
    session: AsyncSession,
    *,
    org_id: uuid.UUID,
    actor_type: str,
    actor_id: str | None,
    target_type: str,
    target_ids: list[str],
    reason: str,
) -> None:
    """Every decryption of PII for a person (not for our own processing) leaves a trace."""
    if not target_ids:
        return
    session.add(
        AuditLog(
            organization_id=org_id,
            actor_type=actor_type,
            actor_id=actor_id,
            action="pii.reveal",
            target_type=target_type,
            target_id=target_ids[0] if len(target_ids) == 1 else None,
            reason=reason,
            data={"ids": target_ids} if len(target_ids) > 1 else {},
        )
    )
    await session.flush()
