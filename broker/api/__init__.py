"""The management API (``/api/v1``): a person's own mandates, and a check for service providers."""
