"""The Luau language layer: source objects, script kinds, the compiler (and the sandboxed VM)."""

from luaurft.luau.kind import ScriptKind, detect_kind, kind_with_reason, parse_kind
from luaurft.luau.source import CompileError, CompileResult, LuauSource, compile_luau

__all__ = [
    "CompileError",
    "CompileResult",
    "LuauSource",
    "ScriptKind",
    "compile_luau",
    "detect_kind",
    "kind_with_reason",
    "parse_kind",
]
