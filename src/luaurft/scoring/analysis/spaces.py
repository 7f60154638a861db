"""Whitespace deleted on the bytes: a cheap key that code equal with its spaces folded shares.

`" ".join(text.split())` folds whitespace the way the comparing rules mean it;
deleting the whitespace bytes instead is one pass with no decoding and no word
list, and two texts equal once folded are equal once deleted. That holds when
every character `str.split()` breaks on is ASCII, which `squeezable` checks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from luaurft.luau.source import LuauSource

#: The ASCII characters `str.split()` breaks on (the separators \x1c-\x1f too).
ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
# And the others: a text holding one of these needs `str.split()` itself.
_OTHER_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def squeezable(source: LuauSource) -> bool:
    """True when deleting `ASCII_SPACE` from the bytes deletes all of the text's whitespace."""
    return source.is_ascii or _OTHER_SPACE.search(source.text) is None
