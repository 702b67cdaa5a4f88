"""Months and weekdays by name or number: the one rule the catalog applies and the gateway documents.

A month is 1-12 and a weekday 1-7 (ISO 8601: Monday = 1), in plain ASCII digits with at most one
leading zero ("9", "09"), or a name in Spanish or English in any case, accents optional
("miércoles", "MIERCOLES"), or a common abbreviation ("sep", "sept", "set", "mié", "thu", "thurs").
Nothing else: no sign ("-1", "+3"), no surrounding spaces or punctuation ("1-"), no other digits ("３").

The rule is one regular expression per kind, built from the names below with explicit character
classes only (`[eEéÉ]`, never `\\w` or a case flag), so it means the same in Python, in the OpenAPI
document (ECMA-262) and in any JSON Schema validator; `number` is a `fullmatch` of it.

>>> MONTH.number("Setiembre"), MONTH.number("09"), MONTH.number("-9"), WEEKDAY.number("mié")
(9, 9, None, 3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from marquee_common.text import strip_accents

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

# Every accepted spelling of each, number by number (index + 1); accents written where the word has them.
MONTH_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("enero", "ene", "january", "jan"),
    ("febrero", "feb", "february"),
    ("marzo", "mar", "march"),
    ("abril", "abr", "april", "apr"),
    ("mayo", "may"),
    ("junio", "jun", "june"),
    ("julio", "jul", "july"),
    ("agosto", "ago", "august", "aug"),
    ("septiembre", "setiembre", "sep", "sept", "set", "september"),
    ("octubre", "oct", "october"),
    ("noviembre", "nov", "november"),
    ("diciembre", "dic", "december", "dec"),
)
WEEKDAY_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("lunes", "lun", "monday", "mon"),
    ("martes", "mar", "tuesday", "tue", "tues"),
    ("miércoles", "mié", "wednesday", "wed"),
    ("jueves", "jue", "thursday", "thu", "thur", "thurs"),
    ("viernes", "vie", "friday", "fri"),
    ("sábado", "sáb", "saturday", "sat"),
    ("domingo", "dom", "sunday", "sun"),
)


def _letter_class(letter: str) -> str:
    """'a' -> '[aA]'; 'é' -> '[eEéÉ]': either case, and an accented letter also without its accent."""
    forms = dict.fromkeys([strip_accents(letter), strip_accents(letter).upper(), letter, letter.upper()])
    return "[" + "".join(forms) + "]"


def _spelling_pattern(spelling: str) -> str:
    return "".join(_letter_class(letter) for letter in spelling)


@dataclass(frozen=True)
class NamedNumbers:
    """The months or the weekdays: what is accepted (`pattern`) and what it means (`number`)."""

    kind: str
    names: tuple[str, ...]
    """The canonical (Spanish) names; number n is names[n - 1]."""
    spellings: tuple[tuple[str, ...], ...]
    digits: str
    """The number's alternatives in the pattern, e.g. '0?[1-9]|1[0-2]'."""
    rule: str
    """What is accepted, in words, for error messages and the OpenAPI document."""
    pattern: str = field(init=False)
    by_spelling: dict[str, int] = field(init=False, repr=False)
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        words = sorted({s for group in self.spellings for s in group}, key=lambda s: (-len(s), s))
        pattern = "^(?:" + "|".join([self.digits, *map(_spelling_pattern, words)]) + ")$"
        object.__setattr__(self, "pattern", pattern)
        by_spelling = {strip_accents(s): n for n, group in enumerate(self.spellings, 1) for s in group}
        object.__setattr__(self, "by_spelling", by_spelling)
        object.__setattr__(self, "_regex", re.compile(pattern))

    def number(self, value: str) -> int | None:
        """The number `value` names, or None when the rule does not accept it."""
        if not self._regex.fullmatch(value):
            return None
        if value.isdigit():  # ASCII digits only: the pattern admits no other
            return int(value)
        return self.by_spelling[strip_accents(value).lower()]

    def error(self, value: str) -> str:
        """Why `value` is refused, naming what is accepted."""
        return f"{value!r} is not a {self.kind}; use {self.rule}"


MONTH = NamedNumbers(
    "month",
    MONTHS,
    MONTH_SPELLINGS,
    "0?[1-9]|1[0-2]",
    "a Spanish name (enero, ..., diciembre; setiembre too), an English one, an abbreviation "
    "(ene, feb, ..., sep, sept, set, ..., dic; jan, ..., dec) in any case, or a number 1-12",
)
WEEKDAY = NamedNumbers(
    "weekday",
    WEEKDAYS,
    WEEKDAY_SPELLINGS,
    "0?[1-7]",
    "a Spanish name (lunes, ..., domingo; accents optional), an English one, an abbreviation "
    "(lun, mar, mié, jue, vie, sáb, dom; mon, tue, ..., sun) in any case, or a number 1-7 (ISO: Monday = 1)",
)
