"""Money forms, one module per area (`work`, `bills`), imported by their own path."""
