"""Adapters to the authoritative registers of legal representation (BRP API Gezag, CCBR)."""
