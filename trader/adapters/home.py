"""The trader's home folder and its SQLite files: private, and checked before use.

The home holds the database and the embedded sim's account, so it is created ``0700``
and a SQLite database file ``0600`` (SQLite gives its ``-wal`` and ``-shm`` files the
database file's mode). An existing database's files are tightened when opened, where
this user owns them. A home that cannot be created (a file in its place, a folder
that is not writable, a read-only file system) is one ``ConfigError`` line naming
``TRADER_HOME``; a home that exists but cannot be written is opened read-only (see
``engine``), so the commands that only read still work there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from trader.errors import ConfigError

HOME_MODE = 0o700
DATABASE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_home(home: Path) -> Path:
    """Create ``home`` (mode 0700) if it is missing; a ConfigError (exit 2) when it cannot
    be, naming why."""
    try:
        home.mkdir(mode=HOME_MODE, parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(
            f"TRADER_HOME {home} is a file, not a folder: point TRADER_HOME at a folder"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot create TRADER_HOME {home}: {_reason(exc)}") from None
    if not home.is_dir():
        raise ConfigError(f"TRADER_HOME {home} is not a folder: point TRADER_HOME at a folder")
    return home


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "the file system is read-only; point TRADER_HOME at a writable folder"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; point TRADER_HOME at a folder you can write"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return exc.strerror or str(exc)


def is_writable_folder(folder: Path) -> bool:
    """Whether new files can be made in ``folder``: its permissions allow it and its file
    system is not mounted read-only."""
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
    return not read_only and os.access(folder, os.W_OK | os.X_OK)


def private_database_file(path: Path) -> None:
    """Create a missing SQLite file ``path`` mode 0600 (its -wal and -shm follow), and
    take the group's and others' access from the files of an existing one we own."""
    if not path.exists():
        if path.parent.is_dir() and is_writable_folder(path.parent):
            with contextlib.suppress(OSError):  # SQLite says what is wrong when it opens it
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, DATABASE_MODE))
        return
    for suffix in SQLITE_SUFFIXES:
        _tighten(Path(f"{path}{suffix}"))


def _tighten(path: Path) -> None:
    try:
        info = path.stat()
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(stat.S_IMODE(info.st_mode) & ~0o077)
    except OSError:
        pass  # missing, or a read-only file system: nothing to tighten
