"""Domain errors raised by services. The API's exception handler turns each into the error envelope
``{"error": message, "code": code, "details": {...}}`` with its HTTP status; services never build responses.
"""

from typing import Any


def error_body(message: str, code: str, details: Any = None) -> dict[str, Any]:
    """The envelope's body."""
    return {"error": message, "code": code, "details": details if details is not None else {}}


class DomainError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None, details: Any = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details if details is not None else {}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = "The request contains invalid data."


class NotFound(DomainError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Not found."


class Conflict(DomainError):
    status_code = 409
    code = "CONFLICT"
    default_message = "The request conflicts with the current state."


class Forbidden(DomainError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = "You do not have permission to do this."


class NoActiveTimer(NotFound):
    code = "NO_ACTIVE_TIMER"
    default_message = "No timer is running."


class OverlappingEntry(Conflict):
    code = "OVERLAPPING_ENTRY"
    default_message = "This entry overlaps another entry of the same user."


class TimerConflict(Conflict):
    code = "TIMER_CONFLICT"
    default_message = "Another request changed the running timer at the same time; retry."


class InvalidTimeRange(ValidationFailed):
    code = "INVALID_TIME_RANGE"
