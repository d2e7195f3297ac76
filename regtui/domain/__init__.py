"""Pure core of regtui: versions, stages, gates, policy, checksums and hash chains (no UI, SQL or HTTP)."""
