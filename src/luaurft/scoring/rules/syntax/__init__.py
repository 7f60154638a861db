"""Syntax rules: what keeps code from compiling, and why."""
