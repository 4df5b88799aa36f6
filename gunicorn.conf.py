"""How gunicorn serves the portal: ``.venv/bin/gunicorn wsgi:app`` reads this file from the project root.

Settings can be changed on the command line or with GUNICORN_CMD_ARGS; the bench harness serves the
portal and its bare endpoint with this same file.
"""

import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Sync workers: each request has a process to itself, and a slow mail server or database holds
# up only that one. Two per core, as the gunicorn documentation suggests for this kind of work.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30


def post_worker_init(worker):
    """Compile the templates and load the calendar before the worker takes its first request."""
    from flask import Flask

    app = worker.wsgi
    if isinstance(app, Flask) and app.import_name == "portal":
        from portal import warm_up

        warm_up(app)
