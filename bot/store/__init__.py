"""The index: SQLAlchemy Core over SQLite (default) or PostgreSQL."""
from bot.store.db import Store

__all__ = ["Store"]
