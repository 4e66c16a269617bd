"""Domain errors: raised by domain functions, turned into HTTP statuses by the API and views."""


class DomainError(Exception):
    status = 400

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = str(message)
        self.errors = errors or {}


class InvalidInput(DomainError):
    status = 400


class Forbidden(DomainError):
    """The user may not do this (named apart from Django's PermissionDenied, which the
    pages raise to show the 403 page)."""

    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (stale version, wrong state, envelope exceeded)."""

    status = 409


class TooManyRequests(DomainError):
    """Too many requests of this kind in a while (e-mails sent, failed sign-ins): 429."""

    status = 429
