"""Django's SQLite backend with its query conversion kept (base.py)."""
