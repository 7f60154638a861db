"""Licences of folder sources: the nearest LICENSE/COPYING file, its SPDX id read from its text.

A record's own licence field (the-luau-stack's `license` column) always wins;
a file in a folder source takes the licence of the nearest licence file in its
folder or a folder above it, up to the source's root; else it has none
(`license-unknown` in the filters).
"""

from __future__ import annotations

import re
from pathlib import Path

#: File names (compared case-insensitively, any extension) that hold a project's licence.
LICENSE_STEMS = ("license", "licence", "copying", "unlicense")

_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*([A-Za-z0-9.+-]+)")


def _has(text: str, *phrases: str) -> bool:
    return all(p in text for p in phrases)


def spdx_from_text(text: str) -> str | None:
    """The SPDX id (lower case) of a licence text, or None when it is not one we recognise.

    Recognised: an `SPDX-License-Identifier:` line; MIT, MIT-0, Apache-2.0,
    BSD-2-Clause, BSD-3-Clause, ISC, MPL-2.0, Unlicense, CC0-1.0, Zlib, WTFPL,
    BSL-1.0, GPL-2.0/3.0, LGPL-2.1/3.0 and AGPL-3.0 (the `-only` / `-or-later`
    distinction is not read: the id without it is returned).
    """
    tagged = _SPDX_LINE.search(text)
    if tagged:
        return tagged.group(1).lower()
    flat = " ".join(text.split()).lower()
    if _has(flat, "free and unencumbered software released into the public domain"):
        return "unlicense"
    if _has(flat, "permission is hereby granted, free of charge"):
        # MIT-0 drops the condition that the notice be included in copies.
        if "the above copyright notice and this permission notice shall be included" in flat:
            return "mit"
        return "mit-0"
    if _has(flat, "apache license") and "version 2.0" in flat:
        return "apache-2.0"
    if _has(flat, "mozilla public license") and ("2.0" in flat):
        return "mpl-2.0"
    if _has(flat, "gnu affero general public license"):
        return "agpl-3.0"
    if _has(flat, "gnu lesser general public license"):
        return "lgpl-2.1" if "version 2.1" in flat else "lgpl-3.0"
    if _has(flat, "gnu general public license"):
        return "gpl-2.0" if "version 2," in flat and "version 3" not in flat else "gpl-3.0"
    if _has(flat, "redistribution and use in source and binary forms"):
        if "neither the name" in flat or "names of its contributors" in flat:
            return "bsd-3-clause"
        return "bsd-2-clause"
    if _has(flat, "permission to use, copy, modify, and/or distribute this software"):
        return "isc" if "copyright notice and this permission notice appear" in flat else "0bsd"
    if _has(flat, "cc0 1.0 universal"):
        return "cc0-1.0"
    if _has(flat, "this software is provided 'as-is'", "altered source versions"):
        return "zlib"
    if _has(flat, "do what the fuck you want to"):
        return "wtfpl"
    if _has(flat, "boost software license"):
        return "bsl-1.0"
    return None


def _license_files(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        entry
        for entry in entries
        if entry.is_file() and entry.name.lower().split(".")[0] in LICENSE_STEMS
    ]


def _folder_license(folder: Path) -> tuple[str | None, str | None]:
    """(spdx id, file) of the first recognised licence file in `folder`; (None, file) when
    a licence file is there but its text is not one we know."""
    unknown: str | None = None
    for file in _license_files(folder):
        try:
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        spdx = spdx_from_text(text)
        if spdx is not None:
            return spdx, str(file)
        unknown = unknown or str(file)
    return None, unknown


def nearest_license(
    file: Path, root: Path, memo: dict[Path, tuple[str | None, str | None]] | None = None
) -> tuple[str | None, str | None]:
    """(SPDX id, licence file) for `file`: the nearest licence file in its folder or one above,
    up to `root` inclusive. A licence file whose text is not recognised stops the search
    (it is that folder's licence, just not one we can name): (None, that file). `memo`
    keeps each folder's answer across the files of one load."""
    seen = memo if memo is not None else {}
    root = root.resolve()
    folder = file.resolve().parent
    while True:
        if folder not in seen:
            seen[folder] = _folder_license(folder)
        spdx, found = seen[folder]
        if found is not None:
            return spdx, found
        if folder == root or root not in folder.parents:
            return None, None
        folder = folder.parent


__all__ = ["LICENSE_STEMS", "nearest_license", "spdx_from_text"]
