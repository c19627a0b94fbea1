"""Reading corpus files into clean articles: read, split, clean."""
