"""runner-suite: measure self-hosted GitHub Actions runner fleets."""

__version__ = "0.1.0"
