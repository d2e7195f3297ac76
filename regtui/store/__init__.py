"""Store layer: SQLModel tables, the shared registry, the local cache and the sync layer."""
