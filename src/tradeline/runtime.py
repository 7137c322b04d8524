"""The process's shared resources: database, vault, rate limiter. Built once, closed once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tradeline.config import Settings
from tradeline.conversation.ports import ChatModel
from tradeline.db import DatabaseTarget, create_app_engine, make_sessionmaker, resolve_target
from tradeline.kit.crypto import Vault
from tradeline.kit.ratelimit import RateLimiter
from tradeline.ops.service import raise_alert
from tradeline.privacy.service import Pii, load_keyring


@dataclass
class Runtime:
    settings: Settings
    target: DatabaseTarget
    engine: AsyncEngine
    maker: async_sessionmaker[AsyncSession]
    pii: Pii
    limiter: RateLimiter
    owns_target: bool = field(default=True)
    chat_model: ChatModel | None = None

    async def close(self) -> None:
        await self.limiter.close()
        await self.engine.dispose()
        if self.owns_target:
            self.target.release()


def build_runtime(settings: Settings, target: DatabaseTarget | None = None) -> Runtime:
    owns = target is None
    target = target or resolve_target(settings)
    engine = create_app_engine(target)
    maker = make_sessionmaker(engine)

    async def on_store_error(rule: str, exc: Exception) -> None:
        await raise_alert(
            maker, "rate_limit_store_down", f"rate-limit store unavailable for {rule}: {exc!r}"
        )

    limiter = RateLimiter(settings.redis_url, key_prefix="tradeline", on_store_error=on_store_error)
    chat_model: ChatModel | None = None
    if settings.llm_base_url and settings.llm_model:
        from tradeline.integrations.openai.chat import OpenAIChat

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        chat_model = OpenAIChat(
            base_url=settings.llm_base_url, api_key=key, model=settings.llm_model
        )
    return Runtime(
        chat_model=chat_model,
        settings=settings,
        target=target,
        engine=engine,
        maker=maker,
        pii=Pii(Vault(load_keyring(settings)), reload=lambda: load_keyring(settings)),
        limiter=limiter,
        owns_target=owns,
    )
