"""Test support: the broker, the running system, the fake SMS provider."""
