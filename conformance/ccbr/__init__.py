"""Simulator of the curatele/bewind/mentorschap register interface (``mandates.sources.ccbr``)."""
