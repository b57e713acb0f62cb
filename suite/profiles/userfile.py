"""Files a user names: checked before they are read, then read as bounded UTF-8 YAML.

One rule for every user-written file (a profile, suite.yaml, a tfvars file) and every path argument:
the path must exist and be what it is meant to be (a regular file, or a directory), readable, and a
file at most ``MAX_FILE_BYTES`` long; a FIFO or a device is refused before it is opened (reading one
would hang). Each problem is one :class:`~suite.errors.UsageError` naming the path as
:func:`display_path` shows it (control characters escaped, length bounded) and saying what to do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from suite.errors import UsageError
from suite.profiles.yamlpos import Node, decode, load_yaml

MAX_FILE_BYTES = 256 << 10  # 256 KiB: a profile or suite.yaml is a few kB (PyYAML reads ~200 kB/s)
MAX_SHOWN_PATH = 120


def display_path(path: Path | str) -> str:
    """A path as an error line shows it: non-printable characters escaped, at most MAX_SHOWN_PATH long."""
    text = str(path)
    if not text.isprintable():
        text = repr(text)[1:-1]
    if len(text) > MAX_SHOWN_PATH:
        half = MAX_SHOWN_PATH // 2 - 2
        text = f"{text[:half]}...{text[-half:]}"
    return text


def _stat(path: Path, what: str) -> os.stat_result:
    shown = display_path(path)
    try:
        return path.stat()
    except FileNotFoundError:
        raise UsageError(f"{shown}: not a {what} (no such {what}); check the path") from None
    except OSError as exc:  # ENAMETOOLONG, ENOTDIR, EACCES on a parent, a symlink loop...
        raise UsageError(
            f"{shown}: cannot use it as the {what}: {exc.strerror or type(exc).__name__}"
        ) from None


def check_name(path: Path, what: str) -> None:
    """``path`` is a name a file system can hold and a terminal can show: no control character,
    components of at most 255 bytes and 4,096 in all (UsageError otherwise)."""
    text = str(path)
    if any(ch < " " or ch == "\x7f" for ch in text):
        raise UsageError(
            f"{display_path(path)}: a control character in the name; the {what} needs a plain name"
        )
    encoded = os.fsencode(text)
    if len(encoded) > 4096 or any(len(part) > 255 for part in encoded.split(b"/")):
        raise UsageError(f"{display_path(path)}: name too long for a file system; choose a shorter {what}")


def check_file(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    """``path`` is a readable regular file of at most ``max_bytes`` (UsageError otherwise)."""
    check_name(path, what)
    st = _stat(path, what)
    shown = display_path(path)
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{shown}: is a directory; the {what} must be a file")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(
            f"{shown}: not a regular file (a FIFO, device or socket); the {what} must be a regular file"
        )
    if st.st_size > max_bytes:
        raise UsageError(f"{shown}: {st.st_size} bytes; the {what} may be at most {max_bytes} bytes")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{shown}: not readable; fix its permissions")


def read_file(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a user-named file, checked by :func:`check_file` first (no read can hang)."""
    check_file(path, what, max_bytes)
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise UsageError(f"{display_path(path)}: cannot read the {what}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew since the check
        raise UsageError(f"{display_path(path)}: the {what} may be at most {max_bytes} bytes")
    return data


def read_text(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A user-named text file, checked, as UTF-8 (errors name the line of the first bad byte)."""
    return decode(read_file(path, what, max_bytes), display_path(path))


def load_yaml_file(path: Path, what: str) -> tuple[Node | None, str]:
    """(the document's Node tree or None when empty, its text): the one way a user's YAML file is read."""
    text = read_text(path, what)
    return load_yaml(text, display_path(path)), text


def check_directory(path: Path, what: str, *, writable: bool = False, may_create: bool = False) -> None:
    """``path`` is a directory this process can read (and write, with ``writable``).

    With ``may_create`` a missing directory is fine when its nearest existing ancestor is a writable
    directory (it is created later, when the work starts).
    """
    check_name(path, what)
    shown = display_path(path)
    if may_create:
        probe = path
        while not os.path.lexists(probe) and probe != probe.parent:
            probe = probe.parent
        if probe != path:
            if not probe.is_dir():
                raise UsageError(f"{shown}: cannot be created: {display_path(probe)} is not a directory")
            if not os.access(probe, os.W_OK | os.X_OK):
                raise UsageError(f"{shown}: cannot be created: {display_path(probe)} is not writable")
            return
    st = _stat(path, what)
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{shown}: not a directory; the {what} must be a directory")
    writable = writable or may_create
    if not os.access(path, os.R_OK | os.X_OK | (os.W_OK if writable else 0)):
        need = "readable and writable" if writable else "readable"
        raise UsageError(f"{shown}: permission denied; the {what} must be {need}")
