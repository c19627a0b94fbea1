"""Daily digests: building, subscriptions, scheduling and exactly-once delivery."""
