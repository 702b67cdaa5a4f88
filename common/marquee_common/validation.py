"""Input checks every service applies before looking anything up."""

from __future__ import annotations

from marquee_common.errors import InvalidQuery
from marquee_common.text import MAX_QUERY_CHARS, normalize_text


def require_text(value: str, what: str) -> str:
    """Return the normalised form of `value`, or raise InvalidQuery naming `what`.

    >>> require_text("  Toy Story! ", "title")
    'toy story'
    """
    stripped = value.strip()
    if not stripped:
        raise InvalidQuery(f"{what} must not be empty")
    if len(stripped) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"{what} is {len(stripped)} characters long; at most {MAX_QUERY_CHARS} are accepted")
    norm = normalize_text(stripped)
    if not norm:
        raise InvalidQuery(f"{what} {stripped!r} has no letters or digits")
    return norm
