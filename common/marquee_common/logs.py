"""JSON log lines on stdout, one object per line, for every Marquee process (python-json-logger)."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

FIELDS = ["asctime", "levelname", "name", "message"]
RENAMED = {"asctime": "ts", "levelname": "level", "name": "logger", "message": "msg", "exc_info": "exc"}


class JsonFormatter(_JsonFormatter):
    """`{"ts": ..., "level": ..., "logger": ..., "msg": ..., "service": ..., **extra}`, and `exc`
    (the traceback) when there is one; `ts` in UTC to the millisecond, `level` in lower case.

    >>> record = logging.makeLogRecord({"name": "marquee.rpc", "levelname": "INFO", "msg": "call",
    ...                                 "created": 0.5, "msecs": 500.0, "method": "GetMovie"})
    >>> print(JsonFormatter("catalog").format(record))  # doctest: +NORMALIZE_WHITESPACE
    {"ts": "1970-01-01T00:00:00.500Z", "level": "info", "logger": "marquee.rpc", "msg": "call",
     "service": "catalog", "method": "GetMovie"}
    """

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self, service: str) -> None:
        super().__init__(FIELDS, rename_fields=RENAMED, static_fields={"service": service},
                         json_default=str, json_ensure_ascii=False)  # fmt: skip
        self.converter = time.gmtime  # ts in UTC

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        log_data["level"] = log_data["level"].lower()
        return log_data


def emit(logger: logging.Logger, level: int, msg: str, fields: dict[str, Any]) -> None:
    """One record with `fields`, for lines written on every call or request.

    makeRecord + handle rather than `logger.info(..., extra=...)`: no stack walk to find the
    caller's line, which is most of what a log line costs.
    """
    if logger.isEnabledFor(level):
        logger.handle(logger.makeRecord(logger.name, level, "", 0, msg, (), None, extra=fields))


def configure(service: str, level: str) -> None:
    """Send every logger's records to stdout as JSON at `level` ("info", "debug"...)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
