"""mandates package."""
