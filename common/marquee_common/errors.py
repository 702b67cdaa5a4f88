"""Domain errors, raised by the cores and translated to gRPC status in one place.

MarqueeError
├── InvalidQuery      bad input: empty, too long, unknown month...  (INVALID_ARGUMENT)
├── NotFound          nothing matches; carries close suggestions     (NOT_FOUND)
├── ReleaseError      the release on disk is missing or inconsistent (FAILED_PRECONDITION)
│   └── DamagedRelease  one of its files fails the checks: names the file and why
├── IndexNotReady     the service has not finished loading           (UNAVAILABLE)
└── Overloaded        too many calls in flight; retry shortly        (RESOURCE_EXHAUSTED)
"""

from __future__ import annotations

from collections.abc import Sequence


class MarqueeError(Exception):
    """Base of every error Marquee raises on purpose."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = list(suggestions)


class InvalidQuery(MarqueeError):
    """The caller's input cannot be answered as given."""


class NotFound(MarqueeError):
    """Nothing matches the caller's input; `suggestions` names close existing values."""


class ReleaseError(MarqueeError):
    """The release on disk is missing, half-written or fails validation."""


class DamagedRelease(ReleaseError):
    """A release that must not be served; `file` and `reason` say why, in one line."""

    def __init__(self, version: str, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.version = version
        self.file = file
        self.reason = reason


class DamagedReport(DamagedRelease):
    """A file of a release asked for by name (its data report) that does not match its manifest:
    the data is lost, not the request wrong (DATA_LOSS); the release's other files may be fine."""


class IndexNotReady(MarqueeError):
    """The service is still loading its release."""


class Overloaded(MarqueeError):
    """The service already runs as many calls as its limit allows; the caller should retry shortly."""
