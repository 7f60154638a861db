"""Scorers: each turns its rules' findings (and the source) into a score in [0, 1].

One module per scorer. A module defines a `Scorer` subclass; it is found by
import, so a scorer that is not built yet is simply absent and reports `null`.
"""
