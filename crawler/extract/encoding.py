"""Bytes -> text for fetched pages: HTTP charset, then <meta>, then detection.

Old /mofaj/ pages are Shift_JIS; current ones are UTF-8 (research/mofa-site.md 1.5).
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

# <meta charset="x"> and <meta http-equiv="Content-Type" content="...; charset=x">
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.I
)
_SNIFF_BYTES = 4096

# Shift_JIS pages in the wild use Microsoft's superset (circled digits, NEC symbols).
_SUPERSETS = {"shift_jis": "cp932", "euc_jp": "euc_jis_2004", "ascii": "utf-8"}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def meta_charset(data: bytes) -> str | None:
    """The charset declared by a <meta> tag near the top of the page, if any."""
    match = _META_CHARSET.search(data, 0, _SNIFF_BYTES)
    return match.group(1).decode("ascii") if match else None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return (text, codec used).

    A BOM wins, then the HTTP charset, then <meta>, then strict UTF-8, then
    charset_normalizer. A declared charset that cannot decode the bytes is skipped;
    if nothing decodes cleanly the first declared charset is used with replacement.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    declared = [
        c for c in (codec_name(http_charset), codec_name(meta_charset(data))) if c
    ]
    for name in [*declared, "utf-8"]:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    guessed = _detect(data)
    if guessed is not None:
        return guessed
    fallback = declared[0] if declared else "utf-8"
    return data.decode(fallback, errors="replace"), fallback


def _detect(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    name = codec_name(best.encoding)
    if name is None:
        return None
    logger.debug("charset detected: %s", name)
    return data.decode(name, errors="replace"), name
