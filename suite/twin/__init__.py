"""The local twin: a fake GitHub Actions REST API on loopback, a simulated runner fleet on a
virtual clock, and a moto server standing in for CloudWatch (docs/architecture.md: The pipeline)."""
