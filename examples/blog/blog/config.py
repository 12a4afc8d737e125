"""Configuration classes, chosen by name with ``FLASK_CONFIG`` (as Flasky-style projects do)."""

from __future__ import annotations

import os


class Config:
    """Settings shared by every configuration."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    # None means "a SQLite file in the instance folder"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_RECORD_QUERIES = False
    POSTS_PER_PAGE = 10
    SQLITE_FILE = "blog.sqlite"


class DevelopmentConfig(Config):
    """Local development: debug on; ``instance/blog.sqlite`` unless DATABASE_URL is set."""

    DEBUG = True


class TestingConfig(Config):
    """Tests: a separate SQLite file unless DATABASE_URL is set."""

    TESTING = True
    SQLITE_FILE = "blog-test.sqlite"


class ProductionConfig(Config):
    """Production: DATABASE_URL is required."""

    DEBUG = False


config: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
