"""The application layer: the only API of regtui.tui and regtui.cli (reads, promotion, admin, audit, providers)."""
