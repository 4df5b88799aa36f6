"""Links emailed to a resident: a random token in the link, and only the token's hash kept.

A link does one thing (continue a draft, answer the satisfaction question), so each kind keeps its
hashes in its own column: a token of one kind is never looked up as another. Someone who reads the
database learns no link that works; the link itself holds nothing about the resident.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A random token for one link: 256 bits, safe in a URL."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is kept of a link's token, and looked up when the link is followed."""
    return hashlib.sha256(token.encode()).hexdigest()
