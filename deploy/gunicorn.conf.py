"""gunicorn settings for Kayse (`gunicorn kayse.wsgi --config deploy/gunicorn.conf.py`).

Sync workers: each handles one request at a time with one persistent database connection, so
the number of PostgreSQL connections the web tier holds is WEB_CONCURRENCY (docs/decisions.md).
Every value can be overridden from the environment, or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's own variable; the usual 2 × cores + 1 for sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Longer than the database's DB_STATEMENT_TIMEOUT (30 s), so a slow query gets its "took too
# long" page rather than a killed worker; nginx waits a little longer still (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then so no leak grows for weeks; the jitter keeps them from all
# restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# nginx on the same host talks to us over loopback and buffers slow clients for us.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The usual combined format plus the time the worker spent on the request (not the time it
# waited for a free worker): bench/load/report.py reads it.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
