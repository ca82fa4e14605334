"""gunicorn settings for production (`make serve-production`), read by gunicorn -c.

Threaded workers (gthread): a client that sends its request slowly holds one thread, not a
whole worker, so a few slow or idle connections cannot starve /healthz and the site
(tests/test_slow_clients.py holds 20 of them open). In production put nginx in front
(deploy/nginx.conf): it buffers whole requests before passing them on, which is the real
defence against slow clients, and terminates TLS.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Two processes per core suit these CPU-bound pages; threads wait on slow clients and the database.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
# Enough threads that one worker could hold every slow client of the test (20) and still answer:
# which worker accepts a connection is the kernel's choice, not an even share.
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# A worker takes no more connections than it has threads: one whose threads are all held by slow
# clients stops accepting, and the others answer (else new requests would queue behind the slow).
worker_connections = threads
# Workers are not recycled by default: a threaded worker that restarts drops the connections queued
# for it (make attack: 4 dropped in 20,155 requests at 2,000), and memory stays flat without it
# (docs/soak.md). Set GUNICORN_MAX_REQUESTS to recycle after that many requests if it ever grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Each worker holds at most this many PostgreSQL connections (a pool; threads beyond it wait for
# one): WEB_CONCURRENCY x DJANGO_DB_POOL_SIZE (4 x 8 = 32 by default) must stay under PostgreSQL's
# max_connections (100 by default) with room for cron imports and harvests (3) and psql.
os.environ.setdefault("DJANGO_DB_POOL_SIZE", "8")
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
