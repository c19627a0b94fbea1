"""Lookup and quote search engines: the only API the CLI, Slack and digests call."""
