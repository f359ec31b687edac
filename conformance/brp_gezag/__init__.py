"""Simulator of the BRP API Gezag (v2) with test families, for tests and demos."""
