"""The blank-text rule: the pattern the OpenAPI document states is exactly what `str.strip()` removes."""

from __future__ import annotations

import sys

import jsonschema_rs

from marquee_common.validation import MAX_VERSION_CHARS, NON_BLANK_PATTERN, VERSION_PATTERN, is_blank, version_problem

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


VERSIONS = ["20261201T152208318Z-d7ff1319", "v1", "a.b", "a_b-c.d9", "A", "1.2.3", "", ".", "..", ".tmp-x",
            "a..b", "a.", "-a", "_a", "a/b", "a\\b", "a b", "a\nb", "a\n", "é", "a.-b", "v" * 128, "v" * 129,
            "a\x00"]  # fmt: skip


def test_the_version_rule_is_exactly_its_json_schema_pattern_and_length() -> None:
    validator = jsonschema_rs.Draft202012Validator(
        {"type": "string", "pattern": VERSION_PATTERN, "minLength": 1, "maxLength": MAX_VERSION_CHARS}
    )
    for value in VERSIONS:
        assert validator.is_valid(value) == (version_problem(value) is None), repr(value)
    assert [v for v in VERSIONS if version_problem(v) is None] == [
        "20261201T152208318Z-d7ff1319", "v1", "a.b", "a_b-c.d9", "A", "1.2.3", "a.-b", "v" * 128
    ]  # fmt: skip
