"""Search tokens for Chinese and Latin text (R1), the same on SQLite and PostgreSQL.

Indexed text is folded (Traditional → Simplified, lower case) by the caller and turned into
tokens here: every CJK character alone and every pair of neighbours, and Latin/digit words.
A query of one CJK character matches the single-character token, two or more match their
pairs, and Latin words match as prefixes. So 张 and 张伟 both hit an index, where FTS5's
trigram tokenizer returns nothing under three characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


def index_tokens(folded: str) -> list[str]:
    tokens: list[str] = []
    for run in _RUNS.findall(folded.lower()):
        if _is_cjk(run):
            tokens.extend(run)
            tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return list(dict.fromkeys(tokens))


@dataclass(frozen=True)
class QueryTerms:
    exact: tuple[str, ...]  # CJK unigrams/bigrams that must be present
    prefixes: tuple[str, ...]  # Latin/digit words matched as prefixes

    @property
    def empty(self) -> bool:
        return not self.exact and not self.prefixes


def query_terms(folded: str) -> QueryTerms:
    exact: list[str] = []
    prefixes: list[str] = []
    for run in _RUNS.findall(folded.lower()):
        if _is_cjk(run):
            exact.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
        else:
            prefixes.append(run)
    return QueryTerms(tuple(dict.fromkeys(exact)), tuple(dict.fromkeys(prefixes)))
