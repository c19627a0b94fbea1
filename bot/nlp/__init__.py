"""Extraction: text in, dataclasses out. No I/O here."""
