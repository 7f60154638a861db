"""Analyses shared by rules: computed once per piece of code through `RuleContext.memo`.

Names and types: `scope` (the one name resolver), `bindings` (Roblox types on
top of it), `builtins`, `calls`, `handlers`, `protection`. Facts about the code,
one module each: `statements`, `functions`, `dead_code`, `comments`, `strings`,
`stubs`, `lines`. Small node questions: `nodes`.
"""
