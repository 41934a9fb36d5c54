"""A ``luot`` command that cannot do what it was asked says why in one line ``error: …`` on standard error
and exits non-zero; never a Python traceback. Run in-process (:mod:`tests.commands`)."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from flask import Flask

from server.cli import main
from server.cli.base import failing_cleanly
from tests.commands import luot, refused, succeeded

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/luot"  # nothing listens on port 1


@pytest.fixture
def fresh(tmp_path: Path) -> dict[str, str | None]:
    """The environment of a new installation in a temporary instance folder."""
    return {"LUOT_INSTANCE_PATH": str(tmp_path / "instance"), "LUOT_DATABASE_URL": None, "LUOT_ENV": None}


def commands(group: click.Group, path: str = "luot") -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} {name}")
        else:
            yield f"{path} {name}", command


def test_every_command_fails_cleanly() -> None:
    cleanly = failing_cleanly(lambda: None).__code__  # the decorator's wrapper, shared by every command
    listed = dict(commands(main))
    assert len(listed) >= 20
    bare = [
        name for name, command in listed.items() if getattr(command.callback, "__code__", None) is not cleanly
    ]
    assert bare == []


def test_an_unknown_site_is_refused_by_every_command_that_names_one(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = make_app(database_url)
    refused(luot(app, "device", "code", "--site", "XX", "--kind", "kiosk", "--name", "K"), "XX")
    refused(luot(app, "device", "add", "--site", "XX", "--kind", "kiosk", "--name", "K"), "XX")
    refused(luot(app, "display", "notices", "show", "--site", "XX"), "XX")
    refused(luot(app, "device", "revoke", "999"), "no such device")


@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("device", "list"), ("db", "upgrade")])
def test_a_database_that_cannot_be_reached_is_named_in_one_line(
    command: tuple[str, ...], fresh: dict[str, str | None]
) -> None:
    line = refused(luot(None, *command, env={**fresh, "LUOT_DATABASE_URL": UNREACHABLE}))
    assert line.startswith("error: cannot reach the database postgresql+psycopg://postgres@127.0.0.1:1/luot:")
    assert "Connection refused" in line


def test_a_sqlite_file_that_cannot_be_opened_is_named(fresh: dict[str, str | None]) -> None:
    env = {**fresh, "LUOT_DATABASE_URL": "sqlite:////nonexistent/folder/luot.sqlite3"}
    refused(luot(None, "device", "list", env=env), "/nonexistent/folder/luot.sqlite3", "unable to open")


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("LUOT_DATABASE_URL", "luot.sqlite3", "LUOT_DATABASE_URL is not a database address"),
        ("LUOT_DATABASE_URL", "mysql://luot:hunter2@db/luot", "not mysql://luot:***@db/luot"),
        ("LUOT_PROXY_COUNT", "two", "LUOT_PROXY_COUNT must be a whole number, not 'two'"),
        ("LUOT_PRINT_TIMEOUT_S", "3s", "LUOT_PRINT_TIMEOUT_S must be a number, not '3s'"),
        ("LUOT_SECRET_KEY", "change-me", "the secret key is too weak for production"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named(
    setting: str, value: str, said: str, fresh: dict[str, str | None]
) -> None:
    env = {**fresh, setting: value}
    for command in (("device", "code", "--site", "CB", "--kind", "kiosk", "--name", "K"), ("device", "list")):
        refused(luot(None, *command, env=env), said)


def test_print_test_reads_its_settings_like_every_command(tmp_path: Path) -> None:
    env = {"LUOT_INSTANCE_PATH": str(tmp_path), "LUOT_PRINT_GIVE_UP_S": "soon"}
    refused(luot(None, "print-test", "--printer", "png://tickets", env=env), "LUOT_PRINT_GIVE_UP_S")


def test_a_configuration_file_that_is_not_text_is_refused(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "sites.yaml"
    path.write_bytes(b"\xff\xfe communes: []")
    refused(luot(make_app(sqlite_url), "config", "load", str(path)), str(path), "not UTF-8")
    refused(luot(make_app(sqlite_url), "display", "notices", "set", "--site", "CB", "--file", str(path)))


def test_backup_says_where_it_cannot_write(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    app = make_app(sqlite_url)
    refused(
        luot(app, "backup", str(tmp_path / "no" / "such" / "b.sqlite3")),
        f"no folder {tmp_path / 'no' / 'such'}",
    )
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    refused(luot(app, "backup", str(a_file / "b.sqlite3")), "no folder")
    refused(luot(app, "backup", "/proc/b.sqlite3"), "/proc")  # a folder nobody may write a file into
    refused(luot(app, "backup", sqlite_url.removeprefix("sqlite:///")), "must not be the database itself")


def test_restore_refuses_what_is_not_a_backup_of_luot_before_asking(
    make_app: Callable[..., Flask], sqlite_url: str, tmp_path: Path
) -> None:
    app = make_app(sqlite_url)
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu\n" * 100, encoding="utf-8")
    refused(luot(app, "restore", str(junk)), "not a SQLite database")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text)")
    connection.close()
    refused(luot(app, "restore", str(other)), "not a Lượt database")
    assert succeeded(luot(app, "device", "list")).stdout == ""  # and the data is still there to read


def test_serve_says_when_its_port_is_taken(make_app: Callable[..., Flask], sqlite_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        refused(luot(make_app(sqlite_url), "serve", "--port", port), f"127.0.0.1:{port}", "in use")
