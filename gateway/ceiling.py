"""``GET /bench/rpc-echo``: one bare RPC round trip (intake's ``ping``, gateway/rpc.py) through the same
server as every other route, and nothing else — the ceiling ``make bench`` compares the real
paths with (issue 9). Registered only when ``BENCH_PROBE_ENABLED`` is on (off by default and in
every deployment file): it is unauthenticated and unlimited, so it must not be reachable in
production."""
from flask import Blueprint, current_app, jsonify

ceiling = Blueprint("ceiling", __name__)


@ceiling.get("/bench/rpc-echo")
def rpc_echo():
    return jsonify(current_app.extensions["rpc"].call("intake", "ping"))
