"""Adapters to the outside world over HTTP: provider changelog feeds and http(s) artifacts."""
