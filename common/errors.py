"""Domain errors: raised by domain functions, turned into HTTP statuses by the API and views."""


class DomainError(Exception):
    status = 400

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or {}


class InvalidInput(DomainError):
    status = 400


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (stale version, wrong state, envelope exceeded)."""

    status = 409
