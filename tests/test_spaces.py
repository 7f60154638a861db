"""`analysis.spaces`: deleting whitespace on the bytes agrees with folding it, where it may be used."""

from __future__ import annotations

from luaurft.luau.source import LuauSource
from luaurft.scoring import score_source
from luaurft.scoring.analysis.spaces import ASCII_SPACE, squeezable


def _folded(text: str) -> str:
    return " ".join(text.split())


def test_ascii_and_plain_unicode_text_can_be_squeezed() -> None:
    assert squeezable(LuauSource("local a = 1\n"))
    assert squeezable(LuauSource('local a = "héllo — ✓"\n'))


def test_text_with_a_unicode_space_cannot() -> None:
    assert not squeezable(LuauSource("local a = 1\u00a0+ 2\n"))
    assert not squeezable(LuauSource("local a = 1\u3000+ 2\n"))


def test_equal_folded_code_is_equal_once_squeezed() -> None:
    a = 'local  x =\t"é"  ..\x1c y\n'
    b = 'local x = "é" ..\n y'
    assert _folded(a) == _folded(b)
    assert a.encode().translate(None, ASCII_SPACE) == b.encode().translate(None, ASCII_SPACE)


_BLOCK = (
    "\tlocal humanoid = hit.Parent:FindFirstChildOfClass('Humanoid')\n"
    "\tif humanoid and humanoid.Health > 0 then\n"
    "\t\thumanoid.Health -= 10\n"
    "\t\tprint(hit.Parent.Name, 'was hurt — ouch')\n"
    "\tend\n"
)


def _copies(code: str) -> list[int]:
    card = score_source(code)
    return [f.line for f in card.findings if f.rule == "quality/duplicate-block"]


def test_a_copy_in_non_ascii_code_is_found_whatever_its_spaces() -> None:
    # The copy's spaces differ (one of them a no-break space, which only
    # `str.split()` folds): still the same code.
    copy = _BLOCK.replace("humanoid.Health -= 10", "humanoid.Health\u00a0-=  10")
    code = f"local function a(hit)\n{_BLOCK}end\nlocal function b(hit)\n{copy}end\n"
    assert _copies(code) == [9]
    assert _copies(code.replace("\u00a0", " ")) == [9]
