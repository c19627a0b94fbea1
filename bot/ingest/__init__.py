"""Ingestion: corpus files in, analysed and stored articles out (the pipeline, the indexer, quote merging)."""
