"""The self-service portal ("Mijn machtigingen") under ``/mijn``: see :mod:`portal.app`."""

from portal.app import Portal

__all__ = ["Portal"]
