"""Input checks every service applies before looking anything up."""

from __future__ import annotations

import re

from marquee_common.errors import InvalidQuery
from marquee_common.text import MAX_QUERY_CHARS, normalize_text

MIN_YEAR, MAX_YEAR = 1800, 2200
"""The years a query may name (the catalog's and the recommender's title lookups, the gateway's parameters)."""
NON_BLANK_PATTERN = r"[^\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""Holds a character that `str.strip()` keeps, i.e. not blank in `require_text`'s sense, as a JSON
Schema `pattern`. Python's whitespace is spelled out code point by code point because `\\s` is
another set elsewhere: ECMA-262's counts U+FEFF but not U+001C-U+001F nor U+0085."""

_NON_BLANK = re.compile(NON_BLANK_PATTERN)


def is_blank(value: str) -> bool:
    """True when `value` is empty or only whitespace (what `str.strip()` removes).

    >>> is_blank(" \\u3000\\n"), is_blank(" x ")
    (True, False)
    """
    return _NON_BLANK.search(value) is None


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


MAX_VERSION_CHARS = 128
"""Longest release version a caller may name (the pipeline's are 28 characters)."""
VERSION_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.[A-Za-z0-9_-])*$"
"""What a release version may be, as a JSON Schema `pattern`: letters, digits, '.', '_', '-', starting
with a letter or digit, no '..' and no '.' at the end; so never a path out of releases/ nor a folder of
the pipeline's work in progress (those start with a dot)."""
_VERSION = re.compile(VERSION_PATTERN)
_VERSION_CHARS = re.compile(r"[A-Za-z0-9._-]")


def version_problem(value: str) -> str | None:
    """Why `value` cannot name a release folder, in a few words; None when it can (`VERSION_PATTERN`).

    >>> version_problem("20261201T152208318Z-d7ff1319") is None
    True
    >>> version_problem("../etc")
    "holds a path separator ('/' or '\\\\'); a version names one folder of releases/"
    """
    if not value:
        return "must not be empty"
    if len(value) > MAX_VERSION_CHARS:
        return f"is {len(value)} characters long; a release version has at most {MAX_VERSION_CHARS}"
    if "/" in value or "\\" in value:
        return "holds a path separator ('/' or '\\'); a version names one folder of releases/"
    if value.startswith("."):
        return "starts with a dot; no release version does"
    if ".." in value:
        return "holds '..'; no release version does"
    odd = next((c for c in value if not _VERSION_CHARS.fullmatch(c)), None)
    if odd is not None:
        return f"holds {odd!r}; a release version is made of letters, digits, '.', '_' and '-'"
    if not _VERSION.fullmatch(value):
        return "must start with a letter or digit and not end with '.'"
    return None
