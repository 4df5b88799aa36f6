"""Links emailed to a resident: a random token in the link, and only the token's hash kept.

A link does one thing (continue a draft, answer the satisfaction question, sign in to see a report),
so each kind keeps its hashes in its own column or rows: a token of one kind is never looked up as
another. Someone who reads the database learns no link that works once its email has gone: the
outbox empties the body of an email with a working link as soon as it is sent or given up
(``portal.mail.outbox.LINK_PURPOSES``), so the link is in the database only while it waits to be
sent. The link itself holds nothing about the resident.

A code an officer reads out or writes to a resident is short, so it is kept as a hash keyed with the
portal's secret key: the database alone is not enough to try every code against it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A random token for one link: 256 bits, safe in a URL."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is kept of a link's token, and looked up when the link is followed."""
    return hashlib.sha256(token.encode()).hexdigest()


# No 0/O, 1/I/L or U/V: a code read out over the phone or copied from a letter is typed as meant.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    """A random code of ``CODE_LENGTH`` characters from ``CODE_ALPHABET`` (about 39 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A code as typed, in capitals without spaces or hyphens (it is shown as ABCD-EFGH)."""
    return "".join(typed.split()).replace("-", "").upper()


def code_hash(code: str, key: str) -> str:
    """What is kept of a code: keyed with ``key`` (the portal's secret key), of the code normalised."""
    return hmac.new(key.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()
