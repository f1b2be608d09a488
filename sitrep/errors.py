"""Errors that carry a message meant for a person (printed as one line, never a traceback)."""


class UserError(Exception):
    """The user asked for something that cannot be done; the message says why and what to do."""
