"""The analysis pool: the pure pipeline over a file's documents, in this process or in worker
processes, and the garbage collector's pace while indexing."""
from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.corpus.models import Document
from bot.ingest.pipeline import AnalysedArticle

GC_THRESHOLD = (20_000, 10, 10)  # while indexing: young collections every 20k allocations, not 700
WORKER_NICENESS = 5  # analysis workers' scheduling priority below the writer's


class AnalysisPool:
    """Runs the pure pipeline (bot.ingest.pipeline.analyse) over a file's documents: in this process,
    or spread over worker processes so that extraction uses every core while one writer stores."""

    def __init__(self, analyse_fn: Callable[..., AnalysedArticle], gazetteer, workers: int = 1):
        self.analyse, self.gazetteer, self.workers = analyse_fn, gazetteer, max(1, workers)
        self.pool = None

    def __enter__(self) -> "AnalysisPool":
        if self.workers > 1:  # forked from the command line's single thread; workers never touch the database
            # Load the extractors' word lists here once, so every forked worker starts with them.
            self.analyse(Document(text="Warm-up.", path="<warm-up>"), self.gazetteer)
            self.pool = multiprocessing.get_context("fork").Pool(
                self.workers, initializer=_start_analysis_worker, initargs=(self.analyse, self.gazetteer))
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            if exc[0] is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
            self.pool = None

    def start(self, docs: list[Document]) -> Callable[[], list[AnalysedArticle]]:
        """Start analysing `docs`; returns what waits for (and returns) the results."""
        if self.pool is None or len(docs) < 2:
            analysed = [self.analyse(doc, self.gazetteer) for doc in docs]
            return lambda: analysed
        running = self.pool.map_async(_analyse_in_worker, docs,
                                      chunksize=max(1, min(32, len(docs) // (self.workers * 4))))
        return running.get


_worker_pipeline: tuple[Callable[..., AnalysedArticle], object] | None = None


def _start_analysis_worker(analyse_fn: Callable[..., AnalysedArticle], gazetteer) -> None:
    global _worker_pipeline
    _worker_pipeline = (analyse_fn, gazetteer)
    # The single writer is what the run waits for (workers sit idle most of the time):
    # when the cores are all busy, the writer goes first.
    os.nice(WORKER_NICENESS)
    _collect_rarely()


def _analyse_in_worker(doc: Document) -> AnalysedArticle:
    analyse_fn, gazetteer = _worker_pipeline
    return analyse_fn(doc, gazetteer)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage rarely while indexing, then as before."""
    threshold = gc.get_threshold()
    _collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _collect_rarely() -> None:
    """Indexing allocates many short-lived objects: the default thresholds ran a collection every 700
    allocations, and full ones walked every module and word list loaded.
    What is loaded now is frozen out of collections: it lives as long as the process."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)

