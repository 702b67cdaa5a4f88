"""Months and weekdays: what is accepted, what it means, and that the documented pattern says exactly that."""

from __future__ import annotations

import jsonschema_rs
import pytest

from marquee_common.calendar_names import MONTH, WEEKDAY, NamedNumbers


@pytest.mark.parametrize(
    ("value", "number"),
    [("enero", 1), ("ENERO", 1), ("Ene", 1), ("january", 1), ("Jan", 1), ("1", 1), ("01", 1), ("setiembre", 9),
     ("Septiembre", 9), ("sep", 9), ("sept", 9), ("SET", 9), ("September", 9), ("9", 9), ("09", 9), ("10", 10),
     ("12", 12), ("dic", 12), ("dec", 12), ("mar", 3), ("may", 5), ("ago", 8), ("aug", 8)],
)  # fmt: skip
def test_a_month_is_a_plain_number_1_to_12_or_a_name_or_abbreviation_in_spanish_or_english(
    value: str, number: int
) -> None:
    assert MONTH.number(value) == number


@pytest.mark.parametrize(
    ("value", "number"),
    [("lunes", 1), ("Monday", 1), ("mon", 1), ("1", 1), ("01", 1), ("martes", 2), ("mar", 2), ("tues", 2),
     ("miércoles", 3), ("MIÉRCOLES", 3), ("miercoles", 3), ("mié", 3), ("mie", 3), ("wed", 3), ("3", 3),
     ("jueves", 4), ("thu", 4), ("thurs", 4), ("vie", 5), ("fri", 5), ("sábado", 6), ("SABADO", 6), ("sáb", 6),
     ("sat", 6), ("domingo", 7), ("sun", 7), ("7", 7)],
)  # fmt: skip
def test_a_weekday_is_an_iso_number_monday_first_or_a_name_or_abbreviation(value: str, number: int) -> None:
    assert WEEKDAY.number(value) == number


REFUSED_MONTHS = ["", " ", "-1", "-12", "1-", "+3", "３", "٣", "0", "00", "000", "13", "009", "1.0", " 9", "9 ",
                  "9\n", "enero\n", "sept.", "e n e r o", "énero", "brumaire", "ener", "enerO!", "januari"]  # fmt: skip
REFUSED_WEEKDAYS = ["", "0", "8", "-1", "+1", "１", "1-", "lunes ", "lunes.", "lúnes", "brumaire", "monday\n", "wedn"]


@pytest.mark.parametrize("value", REFUSED_MONTHS)
def test_anything_else_is_not_a_month(value: str) -> None:
    assert MONTH.number(value) is None


@pytest.mark.parametrize("value", REFUSED_WEEKDAYS)
def test_anything_else_is_not_a_weekday(value: str) -> None:
    assert WEEKDAY.number(value) is None


def test_every_spelling_of_a_month_means_one_month_and_the_canonical_names_are_spanish() -> None:
    assert [MONTH.number(name) for name in MONTH.names] == list(range(1, 13))
    assert [WEEKDAY.number(name) for name in WEEKDAY.names] == list(range(1, 8))
    assert MONTH.names[8] == "septiembre" and WEEKDAY.names[2] == "miércoles"


@pytest.mark.parametrize("kind", [MONTH, WEEKDAY], ids=lambda k: k.kind)
def test_the_pattern_uses_no_class_whose_meaning_differs_between_regex_engines(kind: NamedNumbers) -> None:
    for shorthand in ("\\w", "\\W", "\\d", "\\D", "\\s", "\\S", "\\b", "(?i", "."):
        assert shorthand not in kind.pattern


@pytest.mark.parametrize(
    ("kind", "values"),
    [(MONTH, [*REFUSED_MONTHS, "enero", "SEPT", "Sept", "09", "12", "dic"]),
     (WEEKDAY, [*REFUSED_WEEKDAYS, "miércoles", "MIÉ", "Sáb", "7", "thurs"])],
    ids=["month", "weekday"],
)  # fmt: skip
def test_a_json_schema_validator_reads_the_pattern_as_the_rule_does(kind: NamedNumbers, values: list[str]) -> None:
    validator = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": kind.pattern})
    for value in values:
        assert validator.is_valid(value) == (kind.number(value) is not None), repr(value)


def test_the_error_names_the_value_and_what_is_accepted() -> None:
    assert MONTH.error("-1").startswith("'-1' is not a month; use a Spanish name (enero, ..., diciembre")
    assert "1-12" in MONTH.error("-1")
    assert "1-7 (ISO: Monday = 1)" in WEEKDAY.error("0")
