"""Polars twins of `marquee_common.text`, built from the same constant.

`tests/unit/test_text.py` checks that both give the same answer on every title and name
of the shared data, so a lookup normalised by a service finds what the pipeline stored.
"""

from __future__ import annotations

import polars as pl

from marquee_common.text import NON_WORD


def normalized(expr: pl.Expr) -> pl.Expr:
    """Polars twin of `normalize_text`: 'Léon: The Professional' -> 'leon the professional'."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(NON_WORD, " ")
        .str.strip_chars()
    )


def collection_key(expr: pl.Expr) -> pl.Expr:
    """Polars twin of `marquee_common.text.collection_key`: drops a trailing 'collection'."""
    return normalized(expr).str.replace(r" collection$", "").str.strip_chars()
