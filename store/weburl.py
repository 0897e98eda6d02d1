"""Web addresses Broadsheet will fetch, open or show as a link: http(s) only.

Kept apart from store.articles (which brings httpx along) so that the viewer can
check every link it draws without loading the fetcher.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from store.htmltext import web_link

MAX_URL_LENGTH = 4096
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _hidden_or_control(character: str) -> bool:
    return character.isspace() or unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp")


def safe_web_url(url: str) -> str:
    """``url`` when it is an http(s) address fit to fetch or open; otherwise ValueError, in plain words.

    Surrounding white space is ignored.  Refused: other schemes (``javascript:``,
    ``file:``, ``data:``...), a leading "-" (it would read as an option), white
    space or control characters inside, no host, a bad port.  Shell
    metacharacters are fine in an address: nothing here passes one to a shell.
    """
    if not isinstance(url, str):
        raise ValueError("The address must be text.")
    address = url.strip()
    if not address:
        raise ValueError("Give a web address starting with http:// or https://.")
    if address.startswith("-"):
        raise ValueError('An address cannot start with "-".')
    if len(address) > MAX_URL_LENGTH:
        raise ValueError(f"The address is too long (more than {MAX_URL_LENGTH} characters).")
    if any(_hidden_or_control(character) for character in address):
        raise ValueError("The address contains spaces, line breaks or control characters.")
    scheme = SCHEME.match(address)
    if scheme is None:
        raise ValueError("Give a full web address starting with http:// or https://.")
    if scheme.group(1).lower() not in ("http", "https"):
        scheme_name = scheme.group(1)[:20]
        raise ValueError(f"Only web addresses (http:// or https://) are fetched or opened, not {scheme_name}: ones.")
    try:
        parts = urlsplit(address)
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise ValueError("The address is not valid (check its host name and port).") from None
    if not host:
        raise ValueError("The address has no host name.")
    if not web_link(address):
        raise ValueError("The address is not a valid web address.")
    return address
