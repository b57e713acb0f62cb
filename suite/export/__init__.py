"""Exporters: the run directory's tables sent to other engines (docs/architecture.md, Rooms)."""
