"""Plumbing shared by the Açık Kapı services and gateway: shapes, config, store, events.

No business rules live here: those belong to exactly one service.
"""
