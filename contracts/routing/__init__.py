"""Routing's contracts: its RPC interface, the field tables of staff requests and the unit types."""
