"""Reading Luau files from disk without trusting the path: only regular files,
within a size limit, never blocking.

A scored folder can hold anything: a FIFO (reading it waits forever), a symlink
to `/dev/zero` (reading it never ends), a symlink to itself, a multi-gigabyte
file. `read_source_file` reads regular files only, up to `max_bytes`, and raises
`UnreadableFileError` saying why for everything else.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from luaurft.errors import UnreadableFileError

DEFAULT_MAX_BYTES = 512 * 1024
"""Files larger than this (512 KiB) are not read: far above any hand-written or
generated script, and the size up to which scoring is known to finish in seconds
and bounded memory. `luaurft score --max-bytes` changes it."""

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_source_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the regular file at `path` (symlinks to regular files are
    followed), or `UnreadableFileError` for anything else or anything larger
    than `max_bytes`."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFileError(_os_reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFileError(
            f"{_kind(info.st_mode)}, not a regular file; only regular files are read"
        )
    _check_size(info.st_size, max_bytes)
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it
    # must not wait for a writer; fstat on the open file is what counts.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableFileError(_os_reason(exc)) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFileError(
                f"{_kind(info.st_mode)}, not a regular file; only regular files are read"
            )
        _check_size(info.st_size, max_bytes)
        try:
            data = file.read(max_bytes + 1)  # a file growing while read stops at the limit
        except OSError as exc:
            raise UnreadableFileError(_os_reason(exc)) from None
    _check_size(len(data), max_bytes)
    return data


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UnreadableFileError(
            f"{size:,} bytes, over the {max_bytes:,}-byte limit; left unread "
            "(split it into modules, or raise the limit with --max-bytes)"
        )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot read: a symlink loop (the link points back to itself)"
    return f"cannot read: {exc.strerror or exc}"
