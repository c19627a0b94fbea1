"""The Slack front (slack-bolt) and the local console, over the search engines."""
