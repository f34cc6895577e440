"""Money pages, thin function views, one module per area (`work`, `bills`), imported by their
own path."""
