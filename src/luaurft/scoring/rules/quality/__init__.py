"""Quality rules: completeness, structure, naming, comments, dead code and gaming attempts."""
