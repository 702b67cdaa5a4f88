"""The blank-text rule: the pattern the OpenAPI document states is exactly what `str.strip()` removes."""

from __future__ import annotations

import sys

import jsonschema_rs

from marquee_common.validation import NON_BLANK_PATTERN, is_blank

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def test_blank_means_what_strip_removes_for_every_code_point() -> None:
    differ = [hex(c) for c in range(sys.maxunicode + 1) if is_blank(chr(c)) != (chr(c).strip() == "")]
    assert differ == []
    assert is_blank("") and is_blank("".join(WHITESPACE)) and not is_blank(" \u200b ")


def test_a_json_schema_validator_reads_the_pattern_as_python_does() -> None:
    validator = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": NON_BLANK_PATTERN})
    # Whitespace in one engine and not another is where a `\s` would have disagreed.
    for value in [*WHITESPACE, "", "".join(WHITESPACE), "\ufeff", "\u200b", "x", " x ", "\x1c", "\x85", "\x00"]:
        assert validator.is_valid(value) == (not is_blank(value)), repr(value)
