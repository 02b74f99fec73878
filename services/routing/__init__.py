"""routing service."""
