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


SENTENCE_SETTERS = ("parser", "senter", "sentencizer")


def sentence_stages(nlp) -> tuple[list[str], list[str]]:
    """The pipeline's components up to the last one that sets sentences, and those after it.

    Why: the claims' texts are known once the sentences are, before entities and lemmas; what
    needs only the texts (their embeddings) can start there.
    """
    names = list(nlp.pipe_names)
    cut = max((i + 1 for i, n in enumerate(names) if n in SENTENCE_SETTERS), default=len(names))
    return names[:cut], names[cut:]
