"""Canonical story URLs: two links to one article compare equal.

Feeds link the same article in different dress: campaign parameters
(``utm_source``, ``fbclid``...), ``#comments`` fragments, ``:443``, ``WWW.`` in
capitals, a trailing slash or not, an AMP copy (``/amp/``, ``?amp=1``,
``amp.example.com``, ``.amp.html``).  ``canonical_url`` removes all of that and
keeps everything that can name a different article: the path (its case too) and
every other query parameter, sorted.

Hand-written rather than courlan's ``normalize_url`` (installed with trafilatura):
its strict mode drops every query parameter outside a short allow-list, which
would make ``story.php?sid=1`` and ``story.php?sid=2`` one article, and its lax
mode keeps fragments.  What is wanted here is a short, explicit list of known
trackers, so only a URL that surely names the same article matches.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from.  Compared lowercased.
TRACKING_PARAMETERS = frozenset(
    """
    fbclid gclid dclid gclsrc msclkid yclid twclid ttclid li_fat_id igshid mc_cid mc_eid mkt_tok _hsenc _hsmi
    hsctatracking oly_anon_id oly_enc_id vero_id wickedid s_cid cmpid ncid ocid icid sr_share soc_src soc_trk
    ref ref_src ref_url referrer referer src source smid smtyp sh share feature spm at_medium at_campaign
    taid intcmp cmp cmpn guccounter guce_referrer guce_referrer_sig amp outputtype output_type
    __twitter_impression _ga _gl rss rss_id from partner via
    """.split()
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "at_", "ga_", "__hs", "__s", "trk")
DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_PATH = re.compile(r"(?:/amp/?$|/amp(?=/)|\.amp(?=\.html?$)|\.amp$)", re.IGNORECASE)
_INDEX_PAGE = re.compile(r"/index\.(?:html?|php|aspx?)$", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The URL with what does not change the article removed; "" for no usable URL.

    Only http(s) URLs with a host are canonical; anything else gives "".
    The scheme is dropped too: the http and https copies of a page are one article.
    """
    text = url.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return ""
    for prefix in ("www.", "amp.", "m.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    if port is not None and port not in DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = _AMP_PATH.sub("", path)
    path = _INDEX_PAGE.sub("/", path)
    path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")
