"""Bytes to text: UTF-8 first, a legacy encoding only when the bytes clearly are text.

Silent loss is the failure to avoid: bytes are never decoded with
``errors="replace"``. Either an encoding reads them cleanly or the input is
refused with a message saying why.
"""
from __future__ import annotations

import codecs
import re

from ..errors import InputError

# magic numbers of the binary files people most often hand over by mistake
_MAGIC = ((b"%PDF-", "PDF"), (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
          (b"GIF8", "GIF image"), (b"PK\x03\x04", "ZIP/Office document"), (b"\x1f\x8b", "gzip archive"),
          (b"RIFF", "RIFF media"), (b"\x7fELF", "executable"))
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag near its top, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def _try(data: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode ``data`` read from ``name``; ``declared`` is a charset from HTTP or <meta>.

    Order: byte-order mark, declared charset, UTF-8, then (for legacy files)
    cp1252 if it reads as clean text, else charset-normalizer's best guess.
    Binary data (NUL bytes, known file signatures) is refused.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data, encoding)
            if text is None:
                raise InputError(f"{name}: not valid {encoding} text despite its byte-order mark")
            return text
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: binary file ({kind}), not text, HTML or JSON")
    if b"\x00" in data:
        raise InputError(f"{name}: binary file (contains NUL bytes), not text, HTML or JSON")
    for encoding in (declared, "utf-8"):
        text = _try(data, encoding)
        if text is not None:
            return text
    return _legacy(data, name)


def _legacy(data: bytes, name: str) -> str:
    import charset_normalizer  # only for the rare non-UTF-8 file

    # cp1252 is what "latin-1" web text really is; prefer it when it reads cleanly
    match = (charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
             or charset_normalizer.from_bytes(data).best())
    if match is None:
        raise InputError(f"{name}: not UTF-8 and no text encoding reads it cleanly "
                         "(binary or corrupt?); convert it to UTF-8")
    return str(match)
