"""Doorstep: an offline-first field ledger for household visits and dispute cases."""

__version__ = "0.1.0"
