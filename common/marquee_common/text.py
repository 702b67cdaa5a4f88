"""Text normalisation shared by the pipeline (as a Polars twin) and the services.

Titles and names are looked up case-, accent- and punctuation-insensitively, so the
pipeline stores a normalised column and the services normalise queries the same way.
"""

from __future__ import annotations

import re
import unicodedata

NON_WORD = r"[\W_]+"
"""Runs of anything but letters and digits become one space."""

MAX_QUERY_CHARS = 200
"""Longest accepted user input (titles, names, free text)."""

_NON_WORD_RE = re.compile(NON_WORD)


def strip_accents(raw: str) -> str:
    """'Sábado' -> 'Sabado': compatibility decomposition, then every mark (category M) removed.

    Marks by category, not by combining class, because that is what the Polars twin's
    `\\p{M}` removes.
    """
    if raw.isascii():  # nothing to decompose; most text is, and this path is 50 times faster
        return raw
    return "".join(c for c in unicodedata.normalize("NFKD", raw) if not unicodedata.category(c).startswith("M"))


def normalize_text(raw: str) -> str:
    """'Léon: The Professional' -> 'leon the professional'."""
    return _NON_WORD_RE.sub(" ", strip_accents(raw).lower()).strip()


def collection_key(name: str) -> str:
    """'Toy Story Collection' and 'toy story' share the key 'toy story'."""
    norm = normalize_text(name)
    if norm.endswith(" collection"):
        norm = norm[: -len(" collection")].rstrip()
    return norm
