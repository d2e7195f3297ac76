"""Data shipped with regtui: theme files (themes/) and the demo registry fixtures (demo/)."""
