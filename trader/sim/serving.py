"""Which ``trader sim serve`` serves a home: a claim file, held by a lock.

A running server keeps its state in memory and saves all of it after every change, so
a second process that opened the same state file would have its change erased by the
server's next save. ``trader sim serve`` therefore claims its home: it holds an
exclusive ``flock`` on ``sim_server.json`` there for as long as it runs, with its URL
inside. Other commands on the home look for the claim (:func:`running_url`) and talk to
the server over HTTP instead of opening the state file; a second server on the home is
refused (:class:`HomeServed`).

The lock, not the file, says whether a server runs: the kernel drops a killed process's
lock, so a file left behind by ``kill -9`` claims nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

SERVER_FILE = "sim_server.json"
PUBLISH_WAIT_SECONDS = 2.0  # a server that holds the lock writes its URL right after


class HomeServed(Exception):
    """Another ``trader sim serve`` already serves this home."""

    def __init__(self, home: Path, url: str | None) -> None:
        where = f" at {url}" if url else ""
        super().__init__(
            f"another 'trader sim serve' runs on {home}{where}: stop it first, "
            "or serve another TRADER_HOME"
        )
        self.url = url


def _read_url(handle: int) -> str | None:
    os.lseek(handle, 0, os.SEEK_SET)
    raw = os.read(handle, 4096)
    try:
        url = json.loads(raw).get("url") if raw.strip() else None
    except (ValueError, AttributeError):
        return None
    return url if isinstance(url, str) and url else None


def running_url(home: Path) -> str | None:
    """The URL of the ``trader sim serve`` serving ``home``, or None when none runs."""
    try:
        handle = os.open(home / SERVER_FILE, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a server runs
        else:
            return None  # nobody holds it: a file left by a server that was killed
        deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
        while (url := _read_url(handle)) is None and time.monotonic() < deadline:
            time.sleep(0.05)  # it locked the file and has not written its URL yet
        return url
    finally:
        os.close(handle)


def _same_file(handle: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


class Claim:
    """A server's hold on its home, from :meth:`take` to :meth:`release`."""

    def __init__(self, home: Path, handle: int) -> None:
        self.home = home
        self._handle: int | None = handle

    @classmethod
    def take(cls, home: Path) -> Claim:
        """Claim ``home`` for one server; :class:`HomeServed` when another holds it."""
        home.mkdir(parents=True, exist_ok=True)
        path = home / SERVER_FILE
        while True:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                url = _read_url(handle)
                os.close(handle)
                raise HomeServed(home, url) from None
            if _same_file(handle, path):
                break
            os.close(handle)  # a server stopping unlinked it meanwhile: claim the new one
        os.ftruncate(handle, 0)
        return cls(home, handle)

    def publish(self, url: str) -> None:
        """Write the server's URL for the other commands on the home to find."""
        if self._handle is None:
            raise RuntimeError("the claim was released")
        os.ftruncate(self._handle, 0)
        os.lseek(self._handle, 0, os.SEEK_SET)
        os.write(self._handle, json.dumps({"url": url, "pid": os.getpid()}).encode())

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            (self.home / SERVER_FILE).unlink(missing_ok=True)
        finally:
            os.close(handle)  # closing drops the lock
