"""Rules between parameters, which OpenAPI cannot state, for the schemathesis run of test_openapi_contract.py.

The routes' descriptions state them and the gateway answers 422 to a request that breaks one
(tests/unit/test_gateway_params.py): exactly one of `title` or `text` for /v1/recommendations,
`year` only with `title`, `year_min` not after `year_max`, and `page_token` only as the previous
page gave it. A case schemathesis generates as valid ("positive") that breaks one of them is not
valid after all, so it is left out; negative cases are all kept.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def breaks_a_rule_between_parameters(path: str, query: dict[str, Any]) -> bool:
    """True when `query` breaks a rule the route's description states.

    >>> breaks_a_rule_between_parameters("/v1/recommendations", {"title": "Heat", "text": "heist"})
    True
    """
    if query.get("page_token"):
        return True
    year_min, year_max = query.get("year_min"), query.get("year_max")
    if isinstance(year_min, int) and isinstance(year_max, int) and year_min > year_max:
        return True
    if path == "/v1/recommendations":
        title, text = query.get("title") is not None, query.get("text") is not None
        return title == text or (text and query.get("year") is not None)
    return False


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return True
    return not breaks_a_rule_between_parameters(case.operation.path, dict(case.query or {}))
