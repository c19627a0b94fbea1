"""newsbot: actors, quotes and daily digests from a newsroom's article corpus, in Slack."""

__version__ = "0.1.0"
