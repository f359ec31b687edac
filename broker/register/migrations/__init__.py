"""Alembic migrations of the register (run with ``broker.register.database.migrate``)."""
