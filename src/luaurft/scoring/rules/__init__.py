"""Rules, one module each, grouped by scorer: `syntax/`, `api/`, `bug/`, `quality/`."""
