"""Tracking's contracts: its RPC interface and the field tables of its queries."""
