"""Bytes to text: UTF-8 first, a detected legacy encoding when that fails, binaries refused.

charset-normalizer (already a trafilatura dependency) detects the encoding of
files that are not UTF-8, rather than guessing by hand.
"""
from __future__ import annotations

import codecs

from bot.wording import plural

SAMPLE = 1 << 16  # bytes inspected for binary content and encoding detection
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class BinaryContent(ValueError):
    """The bytes are not text."""


def looks_binary(raw: bytes) -> bool:
    """NUL bytes, or many control characters, near the start: not a text file."""
    sample = raw[:SAMPLE]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * 0.05


def decode_bytes(raw: bytes) -> tuple[str, str | None]:
    """Text of `raw`, and a note when it was not valid UTF-8 (None otherwise).

    Raises BinaryContent for binary data.
    """
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), None
            except UnicodeDecodeError:
                break
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if looks_binary(raw):
        raise BinaryContent("binary file, not text")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    lenient = raw.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    wide = sum(1 for ch in lenient if ord(ch) > 127) - bad
    if wide and wide >= bad:  # UTF-8 with a few broken bytes
        return lenient, (f"not valid UTF-8 (first bad byte at offset {first_bad}); "
                         f"{plural(bad, 'broken sequence')} replaced with U+FFFD")
    encoding = _detect_encoding(raw)
    return raw.decode(encoding, errors="replace"), (
        f"not valid UTF-8 (first bad byte at offset {first_bad}); decoded as {encoding}")


def _detect_encoding(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:SAMPLE]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    return encoding
