"""The spaCy pipeline, loaded once per process (config over code)."""
from __future__ import annotations

import functools

from .. import config
from ..errors import ConfigError


@functools.lru_cache(maxsize=None)
def get_nlp(name: str | None = None):
    """Load the configured spaCy pipeline (STORYDIFF_SPACY_MODEL) once."""
    import spacy

    name = name or config.spacy_model()
    try:
        return spacy.load(name)
    except OSError as e:
        raise ConfigError(f"spaCy model {name!r} is not installed (pip install {name.replace('_', '-')}) "
                          "or set STORYDIFF_SPACY_MODEL to an installed pipeline") from e
