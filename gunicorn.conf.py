"""How gunicorn serves the portal: ``.venv/bin/gunicorn wsgi:app`` reads this file from the project root.

Settings can be changed on the command line or with GUNICORN_CMD_ARGS; the bench harness serves the
portal and its bare endpoint with this same file. ``PORTAL_BIND`` chooses where it listens: an
address such as ``127.0.0.1:8000``, or ``unix:/run/do-it-online/gunicorn.sock`` behind nginx
(deploy/systemd/do-it-online.service).
"""

import ipaddress
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Sync workers: each request has a process to itself, and a slow mail server or database holds
# up only that one. Two per core, as the gunicorn documentation suggests for this kind of work.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30


def unreachable_by_others(address: str) -> bool:
    """Whether a gunicorn bind address is a Unix socket or a loopback address (no other machine's)."""
    if address.startswith("unix:"):
        return True
    host = address.rsplit(":", 1)[0] if ":" in address else address
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_refusal(binds: list[str], environ: dict[str, str]) -> str | None:
    """Why gunicorn must not listen at ``binds`` under ``environ``, or None when it may.

    In production behind a proxy (TRUSTED_PROXIES above 0) the portal believes the address the
    proxy puts in X-Forwarded-For. Anyone who could reach gunicorn directly could send that header
    themselves and be counted as any address they like, so gunicorn listens only where the proxy
    alone reaches it.
    When the proxy is another host, TRUSTED_PROXY_ADDRESSES names it: the portal then believes
    forwarding headers from those addresses only (portal/web/proxies.py), and gunicorn may listen on
    the app host's own address.
    """
    production = environ.get("PORTAL_ENV", "").strip().lower() == "production"
    behind_proxy = environ.get("TRUSTED_PROXIES", "").strip() not in ("", "0")
    proxies_named = bool(environ.get("TRUSTED_PROXY_ADDRESSES", "").strip())
    exposed = [address for address in binds if not unreachable_by_others(address)]
    if not (production and behind_proxy and exposed) or proxies_named:
        return None
    return (
        f"refusing to listen on {', '.join(exposed)}: with TRUSTED_PROXIES set in production, "
        "gunicorn must listen only on a Unix socket or a loopback address that the proxy reaches, "
        "or a client could set X-Forwarded-For itself. Set PORTAL_BIND to, for example, "
        "unix:/run/do-it-online/gunicorn.sock or 127.0.0.1:8000; or, with the proxy on another "
        "host, name it in TRUSTED_PROXY_ADDRESSES."
    )


def on_starting(server):
    """Check where gunicorn will listen, after the command line and GUNICORN_CMD_ARGS have had their
    say; and, serving the portal in production, that its database is fit to serve."""
    refusal = bind_refusal(list(server.cfg.bind), dict(os.environ))
    if not refusal and getattr(server.app, "app_uri", "") == "wsgi:app":
        refusal = database_refusal(dict(os.environ))
    if refusal:
        raise SystemExit(f"gunicorn.conf.py: {refusal}")


def database_refusal(environ: dict[str, str]) -> str | None:
    """In production, why the portal must not serve its database (demonstration accounts that can
    sign in with their published password), or None. Checked once, before any worker starts."""
    if environ.get("PORTAL_ENV", "").strip().lower() != "production":
        return None
    from portal import create_app
    from portal.demo import refusal_to_serve
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        try:
            return refusal_to_serve()
        finally:
            db.engine.dispose()  # the workers make connections of their own


def post_worker_init(worker):
    """Compile the templates and load the calendar before the worker takes its first request."""
    from flask import Flask

    app = worker.wsgi
    if isinstance(app, Flask) and app.import_name == "portal":
        from portal import warm_up

        warm_up(app)
