"""Database layer: SQLAlchemy models, engine and migrations."""
