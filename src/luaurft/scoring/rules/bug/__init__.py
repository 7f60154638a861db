"""Bug-risk rules: code that runs but fails, leaks or misbehaves at run time."""
