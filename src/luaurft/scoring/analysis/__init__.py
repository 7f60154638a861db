"""Analyses shared by rules: computed once per piece of code through `RuleContext.memo`."""
