"""Import and export: catalogs from what already runs (a Prometheus, a saved exposition)."""
