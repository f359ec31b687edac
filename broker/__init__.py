"""Stelsel Toegang broker: one OpenID Connect connection point in front of every login means."""
