"""``luot`` commands run in the test's own process with click's ``CliRunner``.

Given an app (``make_app(...)``), a command works on it (its database, instance folder and secret) as the
real command works on that installation; without one, the command makes its own app from the environment
(``env`` on top of ``os.environ``), as the real command does.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping

from click.testing import CliRunner, Result
from flask import Flask

from server.cli import main


def luot(
    app: Flask | None, *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None
) -> Result:
    """``luot ARGS`` in this process, on ``app`` (or on the installation ``env`` describes)."""
    return CliRunner().invoke(main, list(args), obj=app, input=input, env=env)


def report(result: Result) -> str:
    """What a failed assertion shows: the output, and the traceback of an unexpected exception."""
    text = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        text += "".join(traceback.format_exception(*result.exc_info))
    return text


def succeeded(result: Result) -> Result:
    assert result.exit_code == 0, report(result)
    return result


def refused(result: Result, *fragments: str, exit_code: int = 2) -> str:
    """A known failure: the exit status, exactly one line ``error: …`` on standard error (holding each of
    ``fragments``) and no Python exception escaping the command. Returns that line."""
    assert result.exit_code == exit_code, report(result)
    assert isinstance(result.exception, SystemExit), report(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), report(result)
    for fragment in fragments:
        assert fragment in lines[0], report(result)
    return lines[0]
