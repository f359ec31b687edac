"""The register: which service providers (clients) and services the broker knows, in SQL.

SQLite by default, PostgreSQL in production; the schema is managed by Alembic migrations in
``migrations/`` and applied with :func:`broker.register.database.migrate`.
"""
