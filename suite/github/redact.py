"""The one redactor of the suite's GitHub secrets (tokens, JWTs): every message suite.github builds
(the session's transport errors, error_for and the github_message it keeps, App auth) passes through
Redactor.redact before it is raised or logged; reprs (TokenAuth, the session, RunnerAdmin) show REDACTED.

A secret can reach a message in many encodings, not only as itself: escaped by repr() or
json.dumps (a token holding a line break reads `ghp_a\\nb` in httpx's "Illegal header value"), inside
a bytes repr, percent-encoded (quote, quote_plus, upper- or lower-case hex), base64 (git's basic auth
carries base64 of `x-access-token:TOKEN`; inside a longer base64 text, the characters made of the
secret's own bytes, at each alignment: none for a secret under 5 bytes), or cut short (a partial
echo). Each secret is expanded once, when added, into those forms; redact() marks every stretch of
the text that is one of them, or PARTIAL_MIN characters or more of one, and writes each marked
stretch as one marker whose end characters no secret holds and inside which no secret fits (so a
marker and the text around it can never spell a secret again).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "<redacted>"
PARTIAL_MIN = 8  # this many consecutive characters of a secret's form are redacted (a partial echo)
BASIC_AUTH_USERS = ("x-access-token:", "")  # git's basic auth over HTTPS: user:TOKEN, base64-encoded
MARKERS = (REDACTED, "[redacted]", "(redacted)")
HEX_ESCAPE = re.compile("%[0-9A-F]{2}")


def _escaped(secret: str) -> set[str]:
    """The secret as repr() and json.dumps write it inside a quoted string, for either quote."""
    forms = {
        repr(secret)[1:-1],
        repr(secret + "'\"")[1:-4],  # repr's single-quote form, which escapes '
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    raw = secret.encode("utf-8", "surrogatepass")
    forms |= {repr(raw)[2:-1], repr(raw + b"'\"")[2:-4]}
    return forms


def _lower_hex(text: str) -> str:
    return HEX_ESCAPE.sub(lambda m: m.group().lower(), text)


def _url_encoded(secret: str) -> set[str]:
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {quote(raw, safe=""), quote(raw), quote_plus(raw), quote_plus(raw, safe="/")}
    forms.add("".join(f"%{b:02X}" for b in raw))  # every byte encoded
    return forms | {_lower_hex(f) for f in forms}


def _base64(secret: str) -> set[str]:
    """Standard and URL-safe base64 of the secret (alone and as basic auth), and of the secret at each
    alignment inside a longer text: the characters that depend on the secret's bytes alone."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms: set[str] = set()
    for user in BASIC_AUTH_USERS:
        forms.add(base64.b64encode(user.encode() + raw).decode())
    for shift in range(3):
        enc = base64.b64encode(b"\0" * shift + raw).decode()
        start = 4 if shift else 0  # the first group mixes in bytes before the secret
        whole = (shift + len(raw)) // 3 * 4  # the groups filled by the secret's own bytes
        core = enc[start:whole]
        if core:
            forms.add(core)
    forms |= {f.rstrip("=") for f in forms}
    return forms | {f.translate(str.maketrans("+/", "-_")) for f in forms}


def forms_of(secret: str) -> set[str]:
    """Every text the secret is redacted as (each also redacted in part, PARTIAL_MIN characters on)."""
    plain = {secret} | _escaped(secret)
    twice = {f for form in plain for f in _escaped(form)}  # a repr of a message holding a repr
    return {f for f in plain | twice | _url_encoded(secret) | _base64(secret) if f}


class Redactor:
    """The secrets a client has used; redact() removes every form of each from a text. Thread-safe."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._whole: set[str] = set()  # forms shorter than PARTIAL_MIN: matched whole
        self._grams: set[str] = set()  # every PARTIAL_MIN-character stretch of the longer forms
        self._chars: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._whole) + len(self._grams)} forms {REDACTED}>)"

    def add(self, secret: str) -> None:
        if not secret:
            return
        forms = forms_of(secret)
        with self._lock:
            for form in forms:
                self._chars.update(form)
                if len(form) < PARTIAL_MIN:
                    self._whole.add(form)
                else:
                    self._grams.update(form[i : i + PARTIAL_MIN] for i in range(len(form) - PARTIAL_MIN + 1))

    def _fits(self, marker: str) -> bool:
        """A marker no secret can be read in: its ends are characters no form holds (so no form can
        straddle them) and no form lies inside it."""
        if marker[0] in self._chars or marker[-1] in self._chars:
            return False
        inside = {marker[i : i + PARTIAL_MIN] for i in range(len(marker) - PARTIAL_MIN + 1)}
        return not (inside & self._grams) and not any(form in marker for form in self._whole)

    def _marker(self) -> str:
        for marker in MARKERS:
            if self._fits(marker):
                return marker
        code = 0x2588  # a block character, or the first code point after it that no secret holds
        while chr(code) in self._chars:
            code += 1
        return chr(code)

    def redact(self, text: str) -> str:
        with self._lock:
            whole, grams = list(self._whole), self._grams
            marker = self._marker() if whole or grams else ""
        if not marker:
            return text
        marked = bytearray(len(text))
        for form in whole:
            at = text.find(form)
            while at >= 0:
                marked[at : at + len(form)] = b"\1" * len(form)
                at = text.find(form, at + 1)
        if grams:
            for i in range(len(text) - PARTIAL_MIN + 1):
                if text[i : i + PARTIAL_MIN] in grams:
                    marked[i : i + PARTIAL_MIN] = b"\1" * PARTIAL_MIN
        if not any(marked):
            return text
        out: list[str] = []
        for i, ch in enumerate(text):
            if not marked[i]:
                out.append(ch)
            elif i == 0 or not marked[i - 1]:
                out.append(marker)
        return "".join(out)

    __call__ = redact
