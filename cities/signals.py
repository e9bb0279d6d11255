"""Signals the places app sends for writes that bypass model signals (bulk imports)."""

from django.dispatch import Signal

# Sent after an import has written police-violence records in bulk.
records_imported = Signal()
