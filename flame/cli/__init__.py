"""The `flame` command line."""
