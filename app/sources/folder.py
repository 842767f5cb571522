"""Folder sources: check a folder is usable, and list its files matching a pattern (blocking I/O)."""

import fnmatch
import os
from pathlib import Path

from app.sources.changes import FileStat


def folder_problem(path: str) -> str | None:
    """Why Headwater cannot read files from this folder, or None if it can."""
    folder = Path(path)
    if not folder.is_absolute():
        return f"The folder path must be absolute, not {path!r}."
    try:
        if not folder.exists():
            return f"The folder {path} does not exist on the server."
        if not folder.is_dir():
            return f"{path} is not a folder."
        if not os.access(folder, os.R_OK | os.X_OK):
            return f"The folder {path} is not readable by the Headwater process."
    except OSError as exc:  # a name too long, a broken mount
        return f"The folder path cannot be used: {exc.strerror or exc}."
    except ValueError as exc:  # a NUL byte
        return f"The folder path cannot be used: {exc}."
    return None


def matches(name: str, pattern: str) -> bool:
    """Whether a file name matches a glob pattern, ignoring case (`*.pdf` matches `SCAN.PDF`)."""
    return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())


def scan_folder(root: Path, pattern: str, *, recursive: bool) -> tuple[list[FileStat], list[str]]:
    """Regular files under `root` whose names match `pattern`, by relative path; and what could not be read.

    Hidden files and folders (a leading dot, e.g. a copy in progress) are left out; symbolic links
    to files are followed, links to folders are not.
    """
    files: list[FileStat] = []
    problems: list[str] = []

    def note(error: OSError) -> None:
        problems.append(f"{error.filename}: {error.strerror or error}")

    for folder, subfolders, names in os.walk(root, onerror=note):
        subfolders[:] = sorted(d for d in subfolders if recursive and not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not matches(name, pattern):
                continue
            path = Path(folder, name)
            try:
                stat = path.stat()
            except OSError as exc:
                note(exc)
                continue
            if path.is_file():
                files.append(FileStat(path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return files, problems
