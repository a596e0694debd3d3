"""The errors a user can act on from their message alone.

A command ends with such an error's message in one line (:mod:`orchestration.cli.entry_point`),
not a traceback: the message names what is wrong, where, and what to do.
"""


class ActionableError(Exception):
    """An error whose message says what is wrong, where, and what to do about it."""
