"""Persistence: SQLAlchemy 2 models, engines, the unit of work and Alembic migrations."""
