"""Service configuration, read once from the environment (prefix ``LEDGER_``).

A missing or malformed setting stops the process at start with one plain line
(see ``cli._load_settings``) instead of failing later on the first request.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_URL = "sqlite:///./ledger_layer.db"
SECRET_FILE = Path(".ledger-layer") / "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env", extra="ignore")

    database_url: str = Field(DEFAULT_DB_URL, description="SQLAlchemy URL; SQLite file by default")
    secret_key: str | None = Field(
        None, description="HMAC key for API tokens and cursors; generated into .ledger-layer/ when unset"
    )
    redis_url: str | None = Field(None, description="Redis URL for shared rate limits across processes")
    environment: str = Field("development", description="development | production")
    public_base_url: str = Field("https://localhost:8000", description="Public HTTPS base URL (add-in manifest)")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    worker_in_process: bool = Field(True, description="Run job workers with the API process (serve)")
    worker_processes: int | None = Field(None, ge=1, le=64, description="Worker processes `serve` runs beside the "
                                                                        "API (default: one per core; 1 = a thread)")
    default_plan: str = Field("starter", description="Rate-limit plan for new tenants")
    webhook_allow_loopback: bool = Field(
        False, description="Development only: let webhook endpoints point at a loopback host (refused in production)"
    )
    xlwings_license_key: str | None = Field(
        None, validation_alias="XLWINGS_LICENSE_KEY", description="Needed by the Excel add-in routes only"
    )

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, v: str) -> str:
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            # psycopg 3 is the driver we ship; spell it out so SQLAlchemy does not look for psycopg2.
            v = "postgresql+psycopg://" + v.split("://", 1)[1]
        return v

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, v: str | None) -> str | None:
        if v is not None and len(v) < 32:
            raise ValueError("must be at least 32 characters")
        return v

    @field_validator("environment")
    @classmethod
    def _env(cls, v: str) -> str:
        if v not in ("development", "production"):
            raise ValueError("must be 'development' or 'production'")
        return v

    @field_validator("default_plan")
    @classmethod
    def _plan(cls, v: str) -> str:
        if v not in ("starter", "professional", "enterprise"):
            raise ValueError("must be starter, professional or enterprise")
        return v

    @model_validator(mode="after")
    def _loopback_only_in_development(self):
        if self.webhook_allow_loopback and self.environment == "production":
            raise ValueError("LEDGER_WEBHOOK_ALLOW_LOOPBACK is for development only; unset it in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once into a local file (development only)."""
        if self.secret_key:
            return self.secret_key
        if self.environment == "production":
            raise ValueError("LEDGER_SECRET_KEY must be set in production")
        if SECRET_FILE.exists():
            return SECRET_FILE.read_text().strip()
        SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        SECRET_FILE.write_text(key)
        SECRET_FILE.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
