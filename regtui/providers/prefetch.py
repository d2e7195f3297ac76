"""Read a stream's next chunks in a thread while the caller hashes or writes the current one.

Network reads wait on the server and SHA-256 releases the GIL on large chunks, so overlapping them makes hashing a
stream cost little more than reading it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator

DEPTH = 2
"""Chunks read ahead of the consumer (memory held: DEPTH + 1 chunks)."""
_DONE = object()


def prefetched(open_chunks: Callable[[], Iterable[bytes]], depth: int = DEPTH) -> Iterator[bytes]:
    """The chunks of `open_chunks()`, read by a daemon thread up to `depth` ahead; its error is raised here, in
    order, and closing this iterator early stops the thread."""
    chunks: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    thread = threading.Thread(target=_produce, args=(open_chunks, chunks, stop), daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        _drain(chunks)


def _produce(open_chunks: Callable[[], Iterable[bytes]], chunks: queue.Queue[object], stop: threading.Event) -> None:
    """Put each chunk (then _DONE, or the error met) on the queue until told to stop."""
    try:
        for chunk in open_chunks():
            if not _put(chunks, chunk, stop):
                return
        _put(chunks, _DONE, stop)
    except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
        _put(chunks, exc, stop)


def _put(chunks: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Put an item, waiting for room; False once the consumer has gone."""
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _drain(chunks: queue.Queue[object]) -> None:
    """Empty the queue so a producer blocked on a full queue sees the stop at once."""
    while True:
        try:
            chunks.get_nowait()
        except queue.Empty:
            return
