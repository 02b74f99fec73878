"""Intake's contracts: its RPC interface, the field tables of its requests and the codes they accept."""
