"""Input checks every service applies before looking anything up."""

from __future__ import annotations

from marquee_common.errors import InvalidQuery
from marquee_common.text import MAX_QUERY_CHARS, normalize_text


def require_text(value: str, what: str) -> str:
    """Return the normalised form of `value`, or raise InvalidQuery naming `what` when it is blank or too long.

    Text without a letter or digit is well formed, but normalises to '' and so matches no name
    (NOT_FOUND, or an empty search): a caller looking `''` up must find nothing.

    >>> require_text("  Toy Story! ", "title"), require_text("!?", "title")
    ('toy story', '')
    """
    stripped = value.strip()
    if not stripped:
        raise InvalidQuery(f"{what} must not be empty")
    if len(stripped) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"{what} is {len(stripped)} characters long; at most {MAX_QUERY_CHARS} are accepted")
    return normalize_text(stripped)
