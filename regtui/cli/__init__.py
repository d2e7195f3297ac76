"""Command line: argument parsing and output (text and --json) over the services."""
