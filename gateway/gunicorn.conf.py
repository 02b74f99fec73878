"""gunicorn settings for the gateway, from the environment (design.md §9)."""
import os

bind = "{}:{}".format(os.environ.get("GATEWAY_HOST") or "127.0.0.1", os.environ.get("GATEWAY_PORT") or "8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS") or 2)
threads = int(os.environ.get("GATEWAY_THREADS") or 8)
timeout = 30
accesslog = None  # request lines carry application numbers and codes; metrics cover traffic
