"""Reading corpus files into clean articles: read, split, clean; and the vocabulary every reader of
a text shares (person titles, calendar words)."""
