"""Normalized content and its hash: what counts as "the same" Document."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",  # left single quote
        "\u2019": "'",  # right single quote
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',  # left double quote
        "\u201d": '"',  # right double quote
        "\u201e": '"',
        "\u201f": '"',
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u200b": None,  # zero-width space: invisible, comes and goes with markup
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
    }
)


def normalize_text(text: str) -> str:
    """NFKC, quotes and dashes unified, whitespace collapsed and stripped."""
    if not text.isascii():  # NFKC and the table change only non-ASCII characters
        text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.split())


def _normalize(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, Mapping):
        return {str(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_normalize(v) for v in value]
        # A paragraph that is only whitespace is markup, not content.
        return [v for v in items if v != ""]
    return value


def normalize_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """The Document dict with every string normalized (the input is not changed)."""
    result: dict[str, Any] = _normalize(document)
    return result


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the normalized Document."""
    payload = canonical_json(normalize_document(document)).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()
