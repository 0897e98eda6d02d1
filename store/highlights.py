"""Key sentences of a story, chosen locally: the highlights of a story that has none.

Hand-written, on purpose.  The summarisation libraries that would do this
(sumy, for one, or anything built on NLTK's punkt tokenizer or a language
model) need data or model downloads at run time, which a reader that works
offline and never fetches anything but feeds and pages must not do.  What is
wanted is modest and well understood: an extractive scorer.

1. The text (plain, or Markdown from store.extract) is split into blocks
   (paragraphs, list items, quotes; headings and tables are skipped) and the
   blocks into sentences, minding abbreviations ("Dr.", "U.S.", "e.g."),
   initials ("J. K. Rowling") and decimals ("3.5").
2. Boilerplate is dropped: newsletter and subscription pleas, cookie notices,
   adverts, captions and photo credits, bylines and datelines, "read more" and
   "click here", share prompts, all-capitals lines, fragments, sentences that
   are very short or very long, or that hold an address.
3. Each remaining sentence is scored by centrality: the cosine of its TF-IDF
   vector (the sentences are the documents) to the centroid of all of them, plus
   its similarity to the title, plus two mild priors: earlier sentences a
   little, sentences with figures a little.  The priors only break near-ties,
   so the lead paragraph does not win by position alone.  Questions and
   sentences opening with a quotation mark (a voice more often than a fact)
   weigh a little less.
4. They are picked by maximal marginal relevance: each pick is the best score
   less its likeness to the sentences already picked, and a near-duplicate of a
   pick is never taken.  The picks are returned in the order of the text.

Deterministic: the same text and title always give the same highlights.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

MIN_COUNT, MAX_COUNT = 3, 5
# Only this much of a very long text is read: enough for any article's facts.
MAX_TEXT_CHARS = 120_000
MAX_SENTENCES = 2_000
MIN_WORDS, MAX_WORDS, MAX_CHARS = 6, 60, 400
TITLE_WEIGHT = 0.35
POSITION_WEIGHT = 0.06
FIGURE_WEIGHT = 0.04
QUESTION_FACTOR = 0.7
QUOTE_FACTOR = 0.75
# How much likeness to a sentence already taken costs (maximal marginal relevance).
NOVELTY_WEIGHT = 0.5
# Two sentences this alike (cosine of their vectors, or overlap of their words) are one.
DUPLICATE_COSINE = 0.55
DUPLICATE_OVERLAP = 0.6

# ------------------------------------------------------------------ Markdown and feed text to plain blocks

_LINKS_SECTION = re.compile(r"\n+Links:\n(?:\[\d+\] \S+\n?)+\s*$")
_LINK_NUMBER = re.compile(r" ?\[\d+\]")
_MD_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\((?:<[^>\n]*>|[^)\s]*)(?:\s+\"[^\"\n]*\")?\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_EMPHASIS = re.compile(r"(?<!\\)(?:\*{1,3}|~~|`+)")
_MD_INLINE_HTML = re.compile(r"</?(?:sup|sub|u|br)\s*/?>", re.I)
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_TABLE = re.compile(r"^\s*\|")
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_MD_CELL_BORDER = re.compile(r"(?<!\\)\|")
_MD_CELL_RULE = re.compile(r"^:?-*:?$")


def strip_link_numbers(text: str) -> str:
    """Feed text without its numbered links (the "word [1]" and "Links:" of store.htmltext)."""
    return _LINK_NUMBER.sub("", _LINKS_SECTION.sub("", text))


def plain_inline(text: str) -> str:
    """One line of Markdown as plain words: links keep their words, markers and escapes go."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_INLINE_HTML.sub("", text)
    text = _MD_EMPHASIS.sub("", text)
    return _MD_ESCAPE.sub(r"\1", text)


def markdown_to_plain(markdown: str) -> str:
    """Markdown (as store.extract writes it) as plain text: paragraphs, items, quotes and headings kept."""
    lines = []
    for line in markdown.splitlines():
        if _MD_RULE.match(line):
            lines.append("")
            continue
        if _MD_TABLE.match(line):
            cells = [cell.strip() for cell in _MD_CELL_BORDER.split(line.strip().strip("|"))]
            if not all(_MD_CELL_RULE.match(cell) for cell in cells):
                lines.append(plain_inline("   ".join(cells)))
            continue
        line = _MD_HEADING.sub("", line)
        line = _MD_QUOTE.sub("", line)
        lines.append(plain_inline(line))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _blocks(text: str) -> list[str]:
    """Lines of running text: paragraphs, list items and quotes; no headings, tables or rules."""
    blocks: list[str] = []
    for raw in strip_link_numbers(text[:MAX_TEXT_CHARS]).splitlines():
        if _MD_HEADING.match(raw) or _MD_TABLE.match(raw) or _MD_RULE.match(raw):
            continue
        line = _MD_BULLET.sub("", _MD_QUOTE.sub("", raw))
        line = " ".join(plain_inline(line).split())
        if line:
            blocks.append(line)
    return blocks


# ------------------------------------------------------------------ sentences

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof sr jr st mt ft gen sen rep gov lt col sgt capt cmdr adm maj rev hon pres supt insp det no
    nos vs v etc e.g i.e cf al approx dept est fig figs inc ltd co corp plc llc bros ave blvd rd jan feb mar apr jun
    jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun a.m p.m u.s u.k u.n e.u u.s.a d.c ph.d
    b.a m.a b.sc m.sc op vol vols p pp ch sec art para cl
    """.split()
)
# Abbreviations that often end a sentence too ("... in the U.S. The ...").
_ENDING_ABBREVIATIONS = frozenset("etc inc ltd co corp plc llc bros u.s u.k u.n e.u u.s.a d.c a.m p.m".split())
_SENTENCE_STARTERS = frozenset(
    """
    the a an it its he she they we i you but and or so yet in on at this that these those there then his her their
    our my some many most after before when while as if for now still however meanwhile last next earlier later
    until since no not one two three what why how who where which
    """.split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")
_LAST_TOKEN = re.compile(r"(\S+)$")
_INITIAL = re.compile(r"^[(\"'“‘]*[A-Z]$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def _is_boundary(block: str, start: int, match: re.Match[str]) -> bool:
    after = block[match.end() :]
    if not after:
        return True
    first = after.lstrip("\"'“‘([«")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    punctuation = match.group(0).rstrip()
    if not punctuation.startswith(".") or punctuation.startswith("..") or punctuation.startswith("…"):
        return True
    before = _LAST_TOKEN.search(block[start : match.start()])
    if before is None:
        return True
    token = before.group(1).lstrip("\"'“‘([")
    word = token.lower()
    if _INITIAL.match(token):
        return False
    if word in _ABBREVIATIONS or _DOTTED.match(token):
        if word in _ENDING_ABBREVIATIONS or _DOTTED.match(token):
            next_word = re.match(r"[\"'“‘(]*(\w+)", after)
            return bool(next_word and next_word.group(1).lower() in _SENTENCE_STARTERS)
        return False
    return True


def _block_sentences(block: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        if _is_boundary(block, start, match):
            sentence = block[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
    tail = block[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, block by block (a paragraph or list item never runs into the next)."""
    sentences: list[str] = []
    for block in _blocks(text):
        sentences += _block_sentences(block)
        if len(sentences) >= MAX_SENTENCES:
            break
    return sentences[:MAX_SENTENCES]


# ------------------------------------------------------------------ boilerplate

_BOILERPLATE = re.compile(
    r"news\s?letter|subscri(?:be|ption|ber)|sign(?:ing)?[\s-]?up\b|log\s?in\b|sign\s?in\b|register\s+(?:now|for|to)"
    r"|cookie|advert|\bads?\b|sponsored|promoted|paid\s+(?:content|post|partnership)|affiliate|partner\s+content"
    r"|click\s+here|tap\s+here|read\s+(?:more|next|the\s+full|the\s+rest)|continue\s+reading|keep\s+reading"
    r"|^related\b|see\s+also|more\s+from\b|most\s+(?:read|popular|viewed)|recommended\s+for\s+you|you\s+may\s+also\s+like"
    r"|follow\s+us|share\s+(?:this|on|via)|\bon\s+(?:twitter|facebook|instagram|tiktok|whatsapp)\b|\bwhatsapp\b"
    r"|e-?mail\s+us|contact\s+us|all\s+rights\s+reserved|copyright|©|terms\s+(?:of|and)\s|privacy\s+policy"
    r"|\bphoto(?:graph)?s?\s*(?::|by\b|credit)|\bimage\s*(?::|credit|by\b|source)|\bpicture\s*:|\bcredit\s*:"
    r"|getty\s+images|shutterstock|alamy|\bap\s+photo|\breuters/|\bafp\s+via|illustration\s*:|file\s+photo|\bpa\s+wire"
    r"|^by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:[,|]|$)"
    r"|\b(?:updated|published|posted|last\s+modified)\s*(?:on|at|:)?\s*(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|\bmins?\s+read\b|minute\s+read|listen\s+to\s+(?:this|the)\s+(?:article|story)|audio\s+version"
    r"|(?:originally|first)\s+(?:published|appeared)|appeared\s+first\s+on"
    r"|(?:support|donate\s+to)\s+(?:our|us|independent)|become\s+a\s+(?:member|subscriber|supporter)"
    r"|your\s+(?:inbox|email\s+address)|free\s+trial|\bunlimited\s+access"
    r"|comments?\s*\(\d+\)|join\s+the\s+(?:conversation|discussion)|leave\s+a\s+(?:comment|reply)"
    r"|https?://|www\.",
    re.I,
)
_WORDS = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_ENDS_LIKE_A_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*$")


# A block holding a picture credit is a caption: every sentence of it goes.
_CREDIT = re.compile(
    r"\b(?:photo(?:graph)?|picture|image|illustration|video)s?\s*(?::|by\b|credit)|\bcredit\s*:"
    r"|getty\s+images|shutterstock|alamy|\bap\s+photo|\breuters/|\bafp\s+via|file\s+photo|\bpa\s+wire",
    re.I,
)


def candidate_sentences(text: str) -> list[tuple[int, str]]:
    """(position, sentence) for the sentences worth considering: no boilerplate, no captions.

    Positions count every sentence of the text, so they say how far in a sentence is.
    """
    found: list[tuple[int, str]] = []
    position = 0
    for block in _blocks(text):
        sentences = _block_sentences(block)
        caption = bool(_CREDIT.search(block)) and len(block) <= MAX_CHARS
        for sentence in sentences:
            if not caption and not is_boilerplate(sentence):
                found.append((position, sentence))
            position += 1
        if position >= MAX_SENTENCES:
            break
    return found


def is_boilerplate(sentence: str) -> bool:
    """A sentence that is the page talking about itself, not the story."""
    words = _WORDS.findall(sentence)
    if not (MIN_WORDS <= len(words) <= MAX_WORDS) or len(sentence) > MAX_CHARS:
        return True
    if _BOILERPLATE.search(sentence):
        return True
    letters = [c for c in sentence if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.7 * len(letters):
        return True  # SHOUTED: a label, a headline, a promotion
    first = sentence.lstrip("\"'“‘([«-–— ")[:1]
    if first.islower():
        return True  # a fragment
    if sentence.rstrip().endswith(":"):
        return True  # introduces a list: says nothing itself
    return not _ENDS_LIKE_A_SENTENCE.search(sentence)  # headings, captions, labels


# ------------------------------------------------------------------ scoring

_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can could did do does doing don't down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just let me more most much my myself
    no nor not now of off on once only or other ought our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves said
    says say told tell one two also would could may might must shall new year years time
    """.split()
)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _stem(word: str) -> str:
    """A light suffix stripper: enough for "crossings" and "crossing" to count as one word."""
    for suffix in ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ness", "ies", "ied", "ers", "est"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    for suffix in ("es", "ed", "er", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> list[str]:
    return [
        _stem(word) for word in (t.lower() for t in _TOKEN.findall(text)) if len(word) > 1 and word not in _STOPWORDS
    ]


Vector = dict[str, float]


def _vector(counts: Counter[str], idf: dict[str, float], default_idf: float) -> Vector:
    vector = {term: (1.0 + math.log(count)) * idf.get(term, default_idf) for term, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else {}


def _cosine(one: Vector, other: Vector) -> float:
    if len(one) > len(other):
        one, other = other, one
    return sum(value * other.get(term, 0.0) for term, value in one.items())


@dataclass(slots=True)
class _Candidate:
    position: int
    text: str
    terms: frozenset[str]
    vector: Vector
    score: float = 0.0


def _alike(candidate: _Candidate, other: _Candidate) -> tuple[float, bool]:
    """How alike two sentences are (cosine), and whether they are near-duplicates."""
    cosine = _cosine(candidate.vector, other.vector)
    smaller = min(len(candidate.terms), len(other.terms)) or 1
    duplicate = cosine > DUPLICATE_COSINE or len(candidate.terms & other.terms) / smaller > DUPLICATE_OVERLAP
    return cosine, duplicate


def _choose(candidates: list[_Candidate], count: int) -> list[_Candidate]:
    """Maximal marginal relevance: each pick is the best score less its likeness to
    what is already taken; near-duplicates of a pick are never taken.  O(n) a pick."""
    likeness = {id(candidate): 0.0 for candidate in candidates}
    remaining = list(candidates)
    chosen: list[_Candidate] = []
    while remaining and len(chosen) < count:
        best = max(
            remaining,
            key=lambda c: (round(c.score - NOVELTY_WEIGHT * likeness[id(c)], 9), -c.position),
        )
        chosen.append(best)
        still: list[_Candidate] = []
        for candidate in remaining:
            if candidate is best:
                continue
            cosine, duplicate = _alike(candidate, best)
            if not duplicate:
                likeness[id(candidate)] = max(likeness[id(candidate)], cosine)
                still.append(candidate)
        remaining = still
    return chosen


def generate_highlights(text: str, *, title: str = "", count: int = 4) -> list[str]:
    """3 to 5 (``count``, clamped) key sentences of ``text``, in their order in the text.

    Fewer when the text has fewer sentences worth taking; none for an empty text.
    Never raises for any text.
    """
    count = max(MIN_COUNT, min(MAX_COUNT, count))
    candidates: list[_Candidate] = []
    term_lists: list[list[str]] = []
    kept = candidate_sentences(text or "")
    for position, sentence in kept:
        terms = _terms(sentence)
        if not terms:
            continue
        candidates.append(_Candidate(position, sentence, frozenset(terms), {}))
        term_lists.append(terms)
    if not candidates:
        return []
    total = len(candidates)
    document_frequency: Counter[str] = Counter()
    for terms in term_lists:
        document_frequency.update(set(terms))
    idf = {term: math.log((1 + total) / (1 + df)) + 1.0 for term, df in document_frequency.items()}
    default_idf = math.log(1 + total) + 1.0
    centroid: dict[str, float] = {}
    for candidate, terms in zip(candidates, term_lists, strict=True):
        candidate.vector = _vector(Counter(terms), idf, default_idf)
        for term, value in candidate.vector.items():
            centroid[term] = centroid.get(term, 0.0) + value
    norm = math.sqrt(sum(value * value for value in centroid.values())) or 1.0
    centre = {term: value / norm for term, value in centroid.items()}
    title_terms = _terms(title or "")
    title_vector = _vector(Counter(title_terms), idf, default_idf) if title_terms else {}
    last = max(1, kept[-1][0])
    for candidate in candidates:
        words = len(candidate.text.split())
        score = _cosine(candidate.vector, centre)
        if title_vector:
            score += TITLE_WEIGHT * _cosine(candidate.vector, title_vector)
        score *= min(1.0, words / 12)
        if candidate.text.rstrip("\"'”’»)] ").endswith("?"):
            score *= QUESTION_FACTOR
        if candidate.text[:1] in "\"“‘'«":
            score *= QUOTE_FACTOR  # a voice, more often than a fact
        score += POSITION_WEIGHT * (1.0 - candidate.position / last)
        if any(character.isdigit() for character in candidate.text):
            score += FIGURE_WEIGHT
        candidate.score = score
    chosen = _choose(candidates, count)
    return [candidate.text for candidate in sorted(chosen, key=lambda c: c.position)]
