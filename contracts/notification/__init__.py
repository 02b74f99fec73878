"""Notification's contracts: its RPC interface (it takes no request bodies of its own)."""
