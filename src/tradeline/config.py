"""Settings: every environment variable of CONTRACTS §1, read once with pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. All optional in development: unset means the offline default."""

    model_config = SettingsConfigDict(
        env_prefix="TRADELINE_", extra="ignore", populate_by_name=True
    )

    database_url: str | None = None
    # Optional separate login for the app (non-owner) role; unset → owner connection + SET ROLE.
    app_database_url: str | None = None
    data_dir: Path = Path("./var")
    public_url: str | None = None
    redis_url: str | None = None
    encryption_keys: SecretStr | None = None
    blind_index_key: SecretStr | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    smtp_url: str | None = None
    trusted_proxies: list[str] = Field(default_factory=list)
    twilio_managed_opt_out: bool = False
    # Outgoing integration webhooks: unset → live in production, the sandbox outbox otherwise.
    webhook_delivery: Literal["live", "sandbox"] | None = None
    environment: str = "development"
    log_level: str = "INFO"

    twilio_account_sid: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "twilio_account_sid")
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "twilio_auth_token")
    )
    resend_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("RESEND_API_KEY", "resend_api_key")
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("STRIPE_WEBHOOK_SECRET", "stripe_webhook_secret"),
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        # Operators write "10.0.0.1,10.0.0.0/8"; pydantic-settings would want JSON.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def twilio_auth_token(settings: Settings) -> str:
    """The token that validates webhook signatures. Development without Twilio keys: a token
    generated once into the data dir (mode 0600), so the softphone can sign like Twilio."""
    if settings.twilio_auth_token is not None:
        return settings.twilio_auth_token.get_secret_value()
    import os
    import secrets

    path = settings.resolved_data_dir / "twilio-dev-auth-token"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token
