"""Who is calling: the principal every service receives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    MEMBER = "member"


@dataclass(frozen=True)
class Principal:
    organization_id: uuid.UUID
    role: Role
    actor_type: str  # "api_key" | "user"
    actor_id: str
    is_operator: bool = False
    session_id: uuid.UUID | None = None

    @property
    def sees_pii(self) -> bool:
        """Admins see decrypted values; other roles see masked ones (CONTRACTS §3)."""
        return self.role is Role.ADMIN
