"""Plumbing shared by the Açık Kapı services and gateway: config, clock, store connection, queues,
event handlers and the outbox relay, field checks, places, metrics, logs.

No business rules live here: those belong to exactly one service. What the services and the
gateway agree on (the event catalogue, RPC interfaces, field tables) is in ``contracts/``.
"""
