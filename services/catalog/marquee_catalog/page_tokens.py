"""Search page tokens, bound to the query they page through (AIP-158).

A token is opaque to clients (URL-safe base64 of a small JSON object) and carries where the next
page starts and a digest of the query, so a token sent with another query is refused rather than
silently paging through the wrong results.
"""

from __future__ import annotations

import base64
import hashlib
import json

from marquee_common.errors import InvalidQuery


def _query_digest(norm: str, year: int | None) -> str:
    """What a page token is bound to: the normalised query and the year (not the page size, AIP-158)."""
    return hashlib.sha256(f"{norm}\x00{'' if year is None else year}".encode()).hexdigest()[:16]


def make_page_token(offset: int, norm: str, year: int | None) -> str:
    """The token of the page starting at `offset` of this query's results.

    >>> token = make_page_token(10, "toy story", None)
    >>> read_page_token(token, "toy story", None)
    10
    """
    body = json.dumps({"o": offset, "q": _query_digest(norm, year)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def read_page_token(token: str, norm: str, year: int | None) -> int:
    """Where the page a token names starts; INVALID_ARGUMENT for a token of another query or none of ours."""
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, digest = data["o"], data["q"]
        if type(offset) is not int or offset < 0 or not isinstance(digest, str):
            raise ValueError
    except (ValueError, TypeError, KeyError, UnicodeError):
        raise InvalidQuery(f"page_token {token[:40]!r} is not one this service issued") from None
    if digest != _query_digest(norm, year):
        raise InvalidQuery(
            "page_token belongs to another query: send the query and year of the first page with it, "
            "or no page_token to start again"
        )
    return offset
