"""The JSON log line's fields: names that log readers (bench/, the integration tests) rely on."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from marquee_common.logs import JsonFormatter, emit


def _line(record: logging.LogRecord) -> dict[str, object]:
    return json.loads(JsonFormatter("catalog").format(record))


def test_a_log_line_names_its_time_level_service_logger_message_and_extra_fields() -> None:
    logger = logging.getLogger("marquee.test")
    record = logger.makeRecord("marquee.test", logging.WARNING, "", 0, "swap %s", ("refused",), None,
                               extra={"release": "v2", "reason": "é", "path": object})  # fmt: skip
    record.created, record.msecs = 1_700_000_000.0421, 42.1
    assert _line(record) == {
        "ts": "2023-11-14T22:13:20.042Z",
        "level": "warning",
        "service": "catalog",
        "logger": "marquee.test",
        "msg": "swap refused",
        "release": "v2",
        "reason": "é",
        "path": str(object),
    }


def test_an_exception_travels_as_its_traceback_under_exc() -> None:
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        record = logging.makeLogRecord({"name": "marquee.rpc", "levelname": "ERROR", "msg": "unexpected",
                                        "exc_info": sys.exc_info()})  # fmt: skip
    line = _line(record)
    assert line["level"] == "error" and "ZeroDivisionError: boom" in str(line["exc"])


def test_emitted_fields_reach_the_line_unescaped(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("marquee.test.emit")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter("gateway"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        emit(logger, logging.INFO, "request", {"path": "/v1/títulos", "status": 200})
    finally:
        logger.removeHandler(handler)
    out = capsys.readouterr().out
    assert '"path": "/v1/títulos"' in out and json.loads(out)["status"] == 200
