"""Step 9: the keyword column holds policies.keyword_text's words, stopwords kept."""

from typing import Any

from memory_mcp.policies import keyword_text
from memory_mcp.storage.postgres.migrations.initial import FTS_OF, LENGTH_OF
from memory_mcp.storage.postgres.migrations.spaced import ACCENTED, BASES, PUNCTUATION


def keyword_words(c: Any) -> None:
    """SQLite's step 9: the keyword column holds the text as policies.keyword_text.indexed
    makes it (case traps folded, `c++`, `c#`, `.net`, `node.js` as words of their own,
    Thai, Lao, Khmer and Burmese split into letters with their signs), each pair of
    neighbouring units of an unspaced script as a word too (a search for 数据 looks for
    that word: SQLite matches the pair as a phrase; the characters alone matched a memory
    holding them apart), and stopwords, which the english configuration left out (a query
    of stopwords alone, "The Who", found nothing): `memory_english` is english with its
    stemmer but no stopword list. BM25's document lengths still leave the stopwords out
    (memory_fts_length), as before. Every row's column and length are recomputed."""
    for statement in _KEYWORDS:
        c.execute(statement)
    c.execute(f"update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF}")


def identifiers(text: str) -> str:
    """SQL applying keyword_text.IDENTIFIERS (the index's side) to `text`, in order."""
    for pattern, index, _ in keyword_text.IDENTIFIERS:
        text = f"regexp_replace({text}, '{pattern}', '{index}', 'g')"
    return text


def folds(text: str) -> str:
    """SQL applying keyword_text.FOLDS to `text`: translate() maps one letter to one."""
    for letter, into in keyword_text.FOLDS:
        if len(into) > 1:
            text = f"replace({text}, '{letter}', '{into}')"
    singles = [(letter, into) for letter, into in keyword_text.FOLDS if len(into) == 1]
    letters, intos = ("".join(pair[i] for pair in singles) for i in (0, 1))
    return f"translate({text}, '{letters}', '{intos}')"


UNIT = keyword_text.unit_pattern(escape=True)


def fold_accents(text: str) -> str:
    """SQL folding the Latin accents of `text` (FTS5's remove_diacritics)."""
    return f"translate({text},\n{' ' * 51}'{ACCENTED}', '{BASES}')"


def keywords_function(create: str, source: str) -> str:
    """memory_keywords: policies.keyword_text.indexed, then what FTS5 does as it reads words
    (accents, punctuation), and the pairs; `source` is the SQL of the text it starts from."""
    return f"""
    {create} function memory_keywords(t text) returns text language sql immutable as $$
    select regexp_replace(regexp_replace({fold_accents(identifiers("f"))},
                                         '({UNIT})', ' \\1 ', 'g'),
                          '{PUNCTUATION}', ' ', 'g') || ' ' || memory_unit_pairs(f)
    from memory_folds({source}) as f
    $$
    """


def keyword_columns(config: str) -> str:
    """SQL of a row's keyword vector in a text search configuration: content (weight A),
    tags (B), context with the words of the event date (C), each read by memory_keywords."""
    context = """trim(coalesce(context, '') || ' ' || case when occurred_at is null then ''
        else to_char(cast(occurred_at as timestamp), 'FMDD FMMonth YYYY') end)"""
    return " || ".join(
        f"setweight(to_tsvector('{config}', memory_keywords({text})), '{weight}')"
        for text, weight in (("content", "A"), ("tags::text", "B"), (context, "C"))
    )


_NEW_FTS = "memory_fts(new.content, new.tags, new.context, new.occurred_at)"

# The keyword trigger's function as this step makes it (restore.py makes it again so).
FTS_DOC_FUNCTION = f"""
    create or replace function memories_fts_doc() returns trigger language plpgsql as $$
    begin
        new.fts := {_NEW_FTS};
        new.doc_len := {_NEW_FTS.replace("memory_fts", "memory_fts_length")};
        return new;
    end $$
    """

_KEYWORDS = [
    # policies.keyword_text.folded: the case traps the parser's lowercasing leaves apart.
    f"""
    create function memory_folds(t text) returns text language sql immutable as $$
    select {folds("t")}
    $$
    """,
    # A search's words (already folded and spaced in Python) as the column reads text.
    f"""
    create function memory_search_text(t text) returns text language sql immutable as $$
    select regexp_replace(translate(memory_folds(t), '{ACCENTED}', '{BASES}'),
                          '{PUNCTUATION}', ' ', 'g')
    $$
    """,
    # Each pair of neighbouring units in a run of an unspaced script, as one word.
    f"""
    create function memory_unit_pairs(t text) returns text language sql immutable as $$
    select coalesce(string_agg(p.u || p.n, ' ' order by p.o, p.i), '')
    from (
        select r.o, x.i, x.u[1] as u, lead(x.u[1]) over (partition by r.o order by x.i) as n
        from regexp_matches(t, '(?:{UNIT})+', 'g') with ordinality as r (m, o)
        cross join lateral regexp_matches(r.m[1], '{UNIT}', 'g') with ordinality as x (u, i)
    ) p where p.n is not null
    $$
    """,
    keywords_function("create", "t"),
    "create text search dictionary memory_english_stem (template = snowball, language = english)",
    "create text search configuration memory_english (copy = english)",
    """
    alter text search configuration memory_english
    alter mapping replace english_stem with memory_english_stem
    """,
    f"""
    create or replace function memory_fts(content text, tags jsonb, context text,
        occurred_at text)
    returns tsvector language sql immutable as $$ select {keyword_columns("memory_english")} $$
    """,
    # BM25's document length: the words but the stopwords, as before this step (measured:
    # with the stopwords counted, LoCoMo R@5 / R@10 0.703 / 0.781 -> 0.710 / 0.779 and
    # PrefEval R@10 0.446 -> 0.444; this way the ranking of other queries is unchanged).
    f"""
    create function memory_fts_length(content text, tags jsonb, context text,
        occurred_at text)
    returns integer language sql immutable as $$
    select tsvector_tokens({keyword_columns("english")})
    $$
    """,
    FTS_DOC_FUNCTION,
]
