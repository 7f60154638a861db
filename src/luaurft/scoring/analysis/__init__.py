"""Analyses computed once per piece of code and shared by rules through `RuleContext.memo`."""
