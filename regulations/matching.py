"""Matching an inspector's free text to checklist items, law articles and major-hazard criteria.

rapidfuzz scores every candidate text in C; two scorers are combined per candidate:
``partial_ratio`` on the normalised characters (a phrase inside a longer sentence) and
``token_set_ratio`` on jieba words (the same words in another order).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from regulations.library import CRITERIA, Library
from regulations.normalize import normalize, strip_preamble, tokens
from regulations.stated_condition import stated_condition
from regulations.stated_defect import states_a_defect
from rules.checklist_loader import Checklist
from rules.checklist_schema import ChecklistItem, LawReference

MAJOR_THRESHOLD = 20.0  # tuned on devset.yaml + holdout.yaml (docs/matching.md)
MAJOR_MARGIN = 8.0  # a major item must also be (nearly) the best match
ARTICLE_WEIGHT = 0.85  # direct article-text matches rank below checklist-derived citations
FUZZY_WEIGHT = 0.2  # the rest of an item's score is character-bigram overlap (IDF-weighted cosine)
MAX_TEXT = 2000
# Floor for items whose hazard the photo detector found. Above what vague descriptions reach by
# chance ("装置区巡检拍照" 27.5, "见照片" 27.9), so the photo decides for them, and above the confidence
# a penalty draft needs (backend CONFIDENT_ITEM, 25); below a description that names another hazard
# clearly (the evaluation sets' median top score is 38.7). Workers without helmets in the background
# of a photo of a leaking flange do not make the finding a helmet finding.
AI_SEEN_SCORE = 30.0
# An item marked for one condition of a safeguard (missing / faulty) against words stating the other.
OTHER_CONDITION = 0.7
SHORTLIST = 12  # items rescored with the fuzzy scorers
ARTICLE_SHORTLIST = 10  # articles (by shared bigrams) scanned with partial_ratio


@dataclass(frozen=True)
class ChecklistMatch:
    code: str
    title: str
    score: float


@dataclass(frozen=True)
class RegulationMatch:
    citation: str
    law: str
    article: str
    score: float
    excerpt: str


@dataclass(frozen=True)
class MajorHazard:
    criterion: str
    citation: str
    code: str | None = None  # the checklist item it was matched through


@dataclass(frozen=True)
class MatchResult:
    checklist: list[ChecklistMatch]
    regulations: list[RegulationMatch]
    major_hazard: MajorHazard | None
    # The words state a defect, or the photo detector saw one (regulations.stated_defect); when
    # neither, the items are suggestions of what to look at, not a finding's basis.
    defect_stated: bool = True


def applicable(references: list[LawReference], library: Library, observed: date) -> list[LawReference]:
    chosen = []
    for reference in references:
        document = library.documents.get(reference.law)
        if document is None or not document.applies_on(observed):
            continue
        if reference.valid_from and observed < reference.valid_from:
            continue
        if reference.valid_until and observed > reference.valid_until:
            continue
        chosen.append(reference)
    return chosen


def _excerpt(text: str, length: int = 80) -> str:
    flat = text.replace("\n", "")
    return flat if len(flat) <= length else flat[:length] + "…"


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or ([text] if text else [])


def _bigram_index(texts: dict[str, list[str]]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per item, an IDF-weighted unit vector of the character bigrams of all its texts."""
    counts = {
        code: Counter(gram for text in group for gram in _bigrams(text)) for code, group in texts.items()
    }
    documents = Counter(gram for counter in counts.values() for gram in counter)
    idf = {gram: math.log((1 + len(counts)) / (1 + n)) + 1 for gram, n in documents.items()}
    vectors = {}
    for code, counter in counts.items():
        weights = {gram: (1 + math.log(n)) * idf[gram] for gram, n in counter.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors[code] = {gram: w / norm for gram, w in weights.items()}
    return vectors, idf


def _postings(vectors: dict[str, dict[str, float]]) -> dict[str, list[tuple[str, float]]]:
    """gram → [(item, weight)]: a query only visits the items that share one of its grams."""
    postings: dict[str, list[tuple[str, float]]] = {}
    for code, vector in vectors.items():
        for gram, weight in vector.items():
            postings.setdefault(gram, []).append((code, weight))
    return postings


def _cosine_scores(
    query: str, postings: dict[str, list[tuple[str, float]]], idf: dict[str, float]
) -> dict[str, float]:
    grams = Counter(gram for gram in _bigrams(query) if gram in idf)
    if not grams:
        return {}
    weights = {gram: (1 + math.log(n)) * idf[gram] for gram, n in grams.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    scores: dict[str, float] = {}
    for gram, weight in weights.items():
        for code, item_weight in postings.get(gram, ()):
            scores[code] = scores.get(code, 0.0) + weight * item_weight
    return {code: dot / norm for code, dot in scores.items()}


class Matcher:
    """Built once per process from the libraries; ``match`` is read-only and thread-safe."""

    def __init__(self, checklist: Checklist, library: Library) -> None:
        self.checklist = checklist
        self.library = library
        self._owners: list[str] = []
        self._chars: list[str] = []
        self._words: list[str] = []
        for item in checklist.items.values():
            for text in (item.title, *item.phrasings, *item.synonyms):
                normal = normalize(text)
                if normal:
                    self._owners.append(item.code)
                    self._chars.append(normal)
                    self._words.append(tokens(normal))
        vectors, self._idf = _bigram_index(
            {
                code: [normalize(t) for t in (i.title, *i.phrasings, *i.synonyms)]
                for code, i in checklist.items.items()
            }
        )
        self._postings = _postings(vectors)
        self._positions: dict[str, list[int]] = {}
        for position, owner in enumerate(self._owners):
            self._positions.setdefault(owner, []).append(position)
        self._articles = [a for a in library.all_articles() if a.kind in {"duty", "requirement", "criterion"}]
        self._article_texts = [normalize(a.text)[:400] for a in self._articles]
        article_vectors, self._article_idf = _bigram_index(
            {str(index): [text] for index, text in enumerate(self._article_texts)}
        )
        self._article_postings = _postings(article_vectors)

    def _item_scores(self, query: str) -> dict[str, float]:
        overlap = _cosine_scores(query, self._postings, self._idf)
        # The fuzzy scorers are the expensive part: run them only on the items the cheap
        # bigram overlap ranks near the top, and on the rest count the overlap alone.
        shortlist = set(heapq.nlargest(SHORTLIST, overlap, key=overlap.__getitem__))
        fuzzy = self._fuzzy_scores(query, shortlist)
        return {
            code: FUZZY_WEIGHT * fuzzy.get(code, 0.0) + (1 - FUZZY_WEIGHT) * 100 * overlap.get(code, 0.0)
            for code in fuzzy.keys() | overlap.keys()
        }

    def _fuzzy_scores(self, query: str, shortlist: set[str]) -> dict[str, float]:
        indexes = sorted(i for code in shortlist for i in self._positions.get(code, ()))
        chars = [self._chars[i] for i in indexes]
        words = [self._words[i] for i in indexes]
        partial = process.extract(query, chars, scorer=fuzz.partial_ratio, limit=None, score_cutoff=30)
        by_set = {
            position: score
            for _, score, position in process.extract(
                tokens(query), words, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=30
            )
        }
        scores: dict[str, float] = {}
        for _, partial_score, position in partial:
            # A long query against a short phrase: partial_ratio alone overrates tiny overlaps.
            length_factor = min(1.0, len(chars[position]) / 4)
            combined = 0.5 * partial_score * length_factor + 0.5 * by_set.get(position, 0.0)
            owner = self._owners[indexes[position]]
            scores[owner] = max(scores.get(owner, 0.0), combined)
        return scores

    def match(
        self,
        text: str,
        limit: int = 5,
        observed: date | None = None,
        hazard_codes: list[str] | None = None,
        chosen: str | None = None,
        major_hazard_source: bool | None = None,
    ) -> MatchResult:
        """Items, citations and major-hazard criterion for a finding's description, the hazard
        codes the photo detector found, and ``chosen``, the item the inspector picked (first,
        whatever its score; its major criterion, if any, is the finding's). ``major_hazard_source``:
        whether the enterprise holds a 重大危险源 (None: unknown); items only such holders can have
        are not offered to one that does not (their ``stands_in_for`` items are, and only to it)."""
        query = normalize(strip_preamble(text[:MAX_TEXT]))
        observed = observed or date.today()
        scores = self._item_scores(query) if query else {}
        if (condition := stated_condition(text[:MAX_TEXT])) is not None:
            for code, score in scores.items():
                marked = self.checklist.items[code].condition
                if marked is not None and marked != condition:
                    scores[code] = score * OTHER_CONDITION
        worded = dict(scores)
        for code in hazard_codes or []:  # the AI saw it; among several, the one described first
            for item in self.checklist.by_hazard_code(code):
                worded_score = worded.get(item.code, 0.0)
                scores[item.code] = max(worded_score, AI_SEEN_SCORE + worded_score / 100)
        if major_hazard_source is not False:  # the major item covers what its stand-in would
            scores = {c: v for c, v in scores.items() if self.checklist.items[c].stands_in_for is None}
        everything = sorted(scores.items(), key=lambda pair: -pair[1])
        inapplicable = {
            code
            for code in scores
            if major_hazard_source is False and self.checklist.items[code].major_hazard_sources_only
        }
        ranked = [(code, score) for code, score in everything if code not in inapplicable]
        picked = self.checklist.items.get(chosen) if chosen else None
        defect_stated = bool(hazard_codes) or states_a_defect(text[:MAX_TEXT])
        if picked is not None:
            ranked.sort(key=lambda pair: pair[0] != picked.code)  # stable: the rest keep their order
            if not ranked or ranked[0][0] != picked.code:
                ranked.insert(0, (picked.code, 0.0))
            major = self._major_of(picked.major_criterion, picked.title) if picked.major_criterion else None
        else:
            major = self._major(everything, inapplicable) if defect_stated else None
            if major is not None:
                # The finding is graded by that item, so it leads: its penalty, its repeats.
                ranked.sort(key=lambda pair: pair[0] != major.code)
        items = [(self.checklist.items[code], score) for code, score in ranked[:limit]]
        checklist = [ChecklistMatch(item.code, item.title, round(score, 1)) for item, score in items]
        return MatchResult(checklist, self._regulations(items, query, observed, limit), major, defect_stated)

    def _regulations(
        self, items: list[tuple[ChecklistItem, float]], query: str, observed: date, limit: int
    ) -> list[RegulationMatch]:
        found: dict[str, RegulationMatch] = {}
        lead: set[str] = set()  # the leading item's own citations
        for position, (item, score) in enumerate(items):
            for reference in applicable([*item.duty, *item.penalty], self.library, observed):
                article = self.library.article(reference.law, reference.article)
                if article is None:
                    continue
                citation = self.library.cite_reference(reference)
                if position == 0:
                    lead.add(citation)
                if citation not in found:
                    found[citation] = RegulationMatch(
                        citation, reference.law, reference.article, round(score, 1), _excerpt(article.text)
                    )
        if query:
            # partial_ratio over 400-character article texts is the costly scan: only the articles
            # sharing the most bigrams with the query can reach its cutoff, so only they are scanned.
            overlap = _cosine_scores(query, self._article_postings, self._article_idf)
            shortlist = [
                int(key) for key in heapq.nlargest(ARTICLE_SHORTLIST, overlap, key=overlap.__getitem__)
            ]
            texts = {index: self._article_texts[index] for index in shortlist}
            for _, score, index in process.extract(
                query, texts, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=60
            ):
                article = self._articles[index]
                document = self.library.documents[article.law]
                if not document.applies_on(observed):
                    continue
                citation = self.library.cite(article.law, article.number)
                weighted = round(score * ARTICLE_WEIGHT, 1)
                if citation not in found or found[citation].score < weighted:
                    found[citation] = RegulationMatch(
                        citation, article.law, article.number, weighted, _excerpt(article.text)
                    )
        # The leading item's own citations first, whatever its score: it is the one the inspector
        # chose or the one the finding is graded by.
        return sorted(found.values(), key=lambda match: (match.citation not in lead, -match.score))[:limit]

    def _major(self, ranked: list[tuple[str, float]], inapplicable: set[str]) -> MajorHazard | None:
        """The criterion of the best-ranked major item (nearly) as good as the best match. Where
        that item cannot apply here (第五项 at an enterprise holding no 重大危险源), the finding is
        about its hazard, not another criterion's: none."""
        if not ranked:
            return None
        best = ranked[0][1]
        for code, score in ranked:
            if best - score > MAJOR_MARGIN:
                break
            item = self.checklist.items[code]
            if item.major_criterion and score >= MAJOR_THRESHOLD:
                return (
                    None if code in inapplicable else self._major_of(item.major_criterion, item.title, code)
                )
        return None

    def _major_of(self, criterion: str, title: str, code: str | None = None) -> MajorHazard:
        article = self.library.article(CRITERIA, criterion)
        return MajorHazard(
            f"{criterion}、{article.text if article else title}", self.library.cite(CRITERIA, criterion), code
        )
