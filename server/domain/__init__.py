"""Pure rules of the queue: no Flask, SQLAlchemy or printer imports here (a test enforces it)."""
