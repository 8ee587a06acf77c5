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
        nlp = spacy.load(name)
    except OSError as e:
        raise ConfigError(f"spaCy model {name!r} is not installed (pip install {name.replace('_', '-')}) "
                          "or set STORYDIFF_SPACY_MODEL to an installed pipeline") from e
    if "ner" in nlp.pipe_names:
        if not spacy.language.Language.has_factory(LINE_BREAKS):
            spacy.language.Language.component(LINE_BREAKS, func=_block_line_breaks)
        nlp.add_pipe(LINE_BREAKS, before="ner")
    return nlp


LINE_BREAKS = "storydiff_line_breaks"


def _block_line_breaks(doc):
    """No name runs across a line break: a break ends a title, a dateline or a paragraph.

    Why: the small English model tags "Shawn Holley\nActress Luann Johnson" as one person and
    "22:46 GMT\nBob Woodward" as a quantity; such spans fall across two claims and are lost,
    names and all. Blocking the break tokens makes the recognizer decode each line on its own.
    """
    breaks = [doc[t.i:t.i + 1] for t in doc if t.is_space and "\n" in t.text]
    doc.set_ents([], blocked=breaks, default="unmodified")
    return doc


SENTENCE_SETTERS = ("parser", "senter", "sentencizer")


def sentence_stages(nlp) -> tuple[list[str], list[str]]:
    """The pipeline's components up to the last one that sets sentences, and those after it.

    Why: the claims' texts are known once the sentences are, before entities and lemmas; what
    needs only the texts (their embeddings) can start there.
    """
    names = list(nlp.pipe_names)
    cut = max((i + 1 for i, n in enumerate(names) if n in SENTENCE_SETTERS), default=len(names))
    return names[:cut], names[cut:]


def english_word(word: str) -> bool:
    """Is a lower-case word in the English word index of the pipeline's lemmatizer (WordNet's
    nouns, verbs, adjectives, adverbs)? Pipelines without one know no words: nothing is dropped."""
    return word in _word_index()


@functools.lru_cache(maxsize=1)
def _word_index() -> frozenset[str]:
    nlp = get_nlp()
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    tables = nlp.get_pipe("lemmatizer").lookups
    if "lemma_index" not in tables.tables:
        return frozenset()
    return frozenset(w for words in tables.get_table("lemma_index").values() for w in words)
