"""Notification's RPC interface: only ``ping`` so far (provider callbacks come with delivery reports)."""
