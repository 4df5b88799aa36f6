"""The web plumbing every page shares, whoever it serves: security headers and the origin check,
error pages, the form base and its field builders, template filters, pages drawn once, the caches,
trusted proxies and ``/healthz``. Nothing here knows about reports or cases."""
