"""Recall quality on LoCoMo and PrefEval: the product's recall against its BM25 and dense legs.

LoCoMo (`--data`): every dialogue turn becomes one memory (`Speaker: text [image: caption]`,
dia_id in metadata), one scope per conversation, with its session's date as occurred_at and
the turns around it in the same session (two either side by default, `--context-window`) as
its context: what a chat client storing a turn would pass along. Each question of categories
1-4 is asked through `MemoryService.recall(question, limit=20, scope=sample_id)` and scored
against its evidence turns. PrefEval (`--prefeval`, recall_prefeval.py): every distinct
preference is one memory in one scope; the gold memory is the question's own preference.

For each, the same database also answers with FTS5 BM25 over the memories' own text alone (a
separate FTS5 table over `content`) and with the vector index alone. Printed: R@1/5/10/20,
NDCG@10 and MRR@10 overall, per category (LoCoMo's question types, PrefEval's topics) and per
held-out group (conversation, topic), with paired 95% bootstrap intervals of product - BM25
and product - dense, and recall latency. `--json-out` writes {product, bm25, dense} (each
{overall, by_category}) for LoCoMo, a `prefeval` block ({product, bm25, dense}: metric
means), and each suite's full `report`.

The data (LoCoMo, Maharana et al., ACL 2024; PrefEval, Zhao et al. 2025) is CC BY-NC 4.0:
read it from outside the repo, never copy it in. Run:

    uv run python benchmarks/recall_quality.py --data ../shared/bench/locomo-dev.json \
        --prefeval ../shared/bench/prefeval-dev.json [--json-out results.json] \
        [--limit-conversations N] [--model-dir DIR] [--context-window N] \
        [--db postgresql://...]

With `--db postgresql://...` the same runs on PostgreSQL (in fresh schemas, dropped after):
the product there ranks keywords with its own BM25 over tsvector (storage/postgres/bm25.py),
and the `bm25` row is that keyword leg over content alone (weights 1, 0, 0). Measured on the
LoCoMo dev split: product R@5 / R@10 0.697 / 0.782 on PostgreSQL, 0.698 / 0.780 on SQLite
(dense alone 0.401 / 0.493 on both: HNSW lost nothing at this size).

What was measured on the dev split (5 conversations, 760 questions; R@5 / R@10, changes are
paired differences with 95% bootstrap intervals; the starting point was 0.557 / 0.660):
- kept: neighbouring turns as context, FTS only, at bm25 weight 0.5: +0.128 [+0.103, +0.153]
  / +0.112 [+0.088, +0.136]
  (window 1: +0.085 / +0.076; 3: +0.119 / +0.102; 5: +0.098 / +0.092; weights 0.35-0.7
  within 0.015 of each other; the preceding turn alone: +0.084 / +0.063);
- kept: the event date's words ("8 May 2023") in the indexed context: +0.012 [+0.004, +0.021]
  / +0.011 [+0.003, +0.020]; padding with the same number of meaningless words instead: -0.003;
- dropped: context in the embedding too (content + neighbours embedded together, or the
  two vectors mixed): dense alone +0.03-0.045, fused +0.002 / +0.006, CIs include zero;
- dropped: IDF-aware stopwording (query terms in more than 10/20/30% of the scope's memories):
  -0.037 / -0.006 / +0.004 R@5, R@10 worse at every threshold;
- kept: a relevance floor per leg (policies/fusion.py; a hit needs a keyword score at least
  0.3 of the best or a cosine within 0.25 of the best and at least 0.15): R@5 / R@10 / R@20
  unchanged (0.697 / 0.785 / 0.836), 19.7 of 20 hits returned on average; PrefEval (one pool of
  499 preferences) R@5 0.222 unchanged, R@10 0.382 -> 0.380;
- dropped: z-score fusion (+0.008 / -0.012), confidence-weighted legs (+0.007 [+0.001,
  +0.014] / +0.001 [-0.006, +0.008]), keyword weight 0.5 / 0.7 (-0.043 / +0.008 R@5),
  dense pseudo-relevance feedback (Rocchio, top 3, b 0.5 / 1.0: +0.004 / -0.001, +0.006 /
  -0.006), candidate pools of 40 / 160 (within 0.005).
Leave-one-conversation-out (window and weight chosen on four, scored on the fifth) gives
0.694 / 0.781 pooled over the held-out conversations; every conversation gains 0.11-0.17 R@5.

Fusion that knows how much the keyword leg knows (README: Recall quality), both benchmarks:
- kept: the keyword leg's top is at least half the query's IDF mass (KEYWORD_FULL_SHARE):
  LoCoMo 0.697 / 0.785 -> 0.698 / 0.780; PrefEval 0.222 / 0.384 -> 0.279 / 0.424 (dense alone
  0.277 / 0.436; product - dense +0.002 [-0.018, +0.022], was -0.055); shares 0.3 / 0.7: LoCoMo
  0.697 / 0.688, PrefEval 0.271 / 0.287; keyword share of the query mass as the score itself
  (no min-max): LoCoMo 0.63-0.69 at weights 0.4-0.7. Leave-one-out (share 0-1 and keyword
  weight 0.5-0.7 chosen on the other groups): LoCoMo 0.701, PrefEval 0.275 pooled over held-out
  conversations / topics;
- dropped (R@5, LoCoMo / PrefEval): cosine calibrated against 24 unrelated anchor sentences
  ((cos - mean) / (1 - mean), top at least 0.7): +0.007 / -0.008; per-query leg weights from
  each leg's best evidence: -0.031 / +0.004; a bonus for agreement of both legs: -0.017 /
  +0.006; CSLS hubness correction: PrefEval -0.014 to -0.05; question sentences embedded apart:
  PrefEval 0 to -0.004; second stage over the 30 best: neighbouring turns' fused scores (same
  session, +-1/2, weight 0.1-0.5) up to +0.011, same session as a top-3 hit +0.008, own-text
  query-word coverage -0.001 / -0.006, content-only BM25 rank as a third signal -0.002 /
  +0.008, a follow-up keyword search for the top hits' rare words up to +0.008 (multi-hop
  -0.006 to +0.002); wider pools (200) -0.012.

Pseudo-relevance feedback (policies/feedback.py), R@5 LoCoMo / PrefEval:
- kept: the semantic leg searches again from the query + 0.3 x the fused-score-weighted mean
  vector of the 3 best fused hits, and the legs are fused again: 0.698 -> 0.707 (product -
  before +0.009 [-0.000, +0.019]) / 0.279 -> 0.299 (+0.020 [+0.000, +0.040]; product - dense
  +0.022 [-0.002, +0.048]); depth 2-4 x weight 0.2-0.5 (unweighted or weighted) all gained on
  both: +0.002 to +0.012 / +0.008 to +0.020. Leave-one-out (depth and weight chosen on the
  other groups): LoCoMo 0.709, PrefEval 0.285. Unlike the dense-only feedback dropped above,
  it feeds back the fused hits (mostly keyword evidence on conversations);
- dropped, against fusion without feedback (0.698 / 0.279): feedback from the best hit alone
  (+0.004 to +0.007 / -0.002 to -0.022), from the best 5 (-0.005 to -0.004 / +0.006 to
  +0.010) or 10 (PrefEval 0 to +0.002), from the dense leg's best instead of the fused ones
  (PrefEval -0.002 to +0.008); MMR by embedding over the best 30 (-0.001 to +0.006 / +0.002 to
  -0.022); a penalty for turns next to a better hit (-0.005 to -0.036); each turn's vector
  mixed with its neighbours' (+-1/2, weight 0.5/1) as the dense leg or a third leg (-0.004 to
  -0.087); the request's content words embedded alone or mixed in (PrefEval -0.010 to -0.014);
- dropped, against feedback (0.707 / 0.299): a relative-score cutoff for the depth (-0.005 to
  +0.003 / -0.014 to +0.004), keyword weight 0.5 / 0.55 / 0.65 (-0.048 / -0.024 / -0.005;
  PrefEval -0.010 / -0.010 / -0.014), a second round (0 / 0), mixing the first and second fused
  lists (-0.007 / -0.006), neighbouring turns' scores on top (-0.002 to -0.012), preferences
  embedded behind a "preference:" prefix (PrefEval -0.006 to +0.006); RM3-style keyword
  expansion, the 1 / 3 / 5 rarest new words of the 3 best hits added to the keyword query
  (-0.026 / -0.034 / -0.038; PrefEval -0.008 / -0.014 / -0.014); a bonus of 0.02-0.1 for
  the same session as one of the best 1 or 3 hits (-0.004 to +0.000); Rocchio's negative
  term, minus 0.1 / 0.2 x the mean vector of fused ranks 11-30 or 21-60 (-0.003 to -0.001 /
  -0.012 to -0.004).

Embedding-space post-processing, late interaction and rank fusion, against the product with
feedback (0.709 / 0.299 R@5; R@5 changes LoCoMo / PrefEval with paired 95% intervals; held-out:
the setting chosen on the other conversations / topics), all dropped:
- the dense leg's vectors post-processed from the scope's stored memories alone (fitted per
  scope, query transformed alike): centred on the scope's mean: dense alone +0.014 / -0.022,
  product -0.006 [-0.019, +0.006] / -0.030 [-0.051, -0.008]; memories centred, query not:
  dense -0.050 / +0.014, product -0.011 / -0.004; the query alone centred: dense -0.017 /
  -0.022, product -0.009 / -0.053; all-but-the-top (the top 1 / 2 / 3 / 5 principal
  directions removed): dense +0.012 / +0.006 / +0.005 / -0.009 and -0.020 / -0.022 / -0.036 /
  -0.044, product -0.008 / -0.017 / -0.021 / -0.020 and -0.040 / -0.042 / -0.042 / -0.042
  (held-out 0.702 / 0.244); whitening, covariance shrunk by 0.3 / 1 / 3 x its mean eigenvalue:
  dense +0.050 / +0.059 / +0.062 (R@10 up to +0.087) and -0.075 / -0.050 / -0.034, product
  -0.025 / -0.014 / -0.010 and -0.095 / -0.048 / -0.016 (held-out 0.699 / 0.283). The style
  every preference shares ("I prefer / avoid ...") does not swamp the topic: removing the
  common directions loses PrefEval's gold preferences, and a better dense leg on LoCoMo
  does not make a better fusion;
- late interaction over the fused best 20 / 30 with MiniLM's own token outputs (MaxSim of the
  query's tokens against each candidate's, [CLS]/[SEP] left out, plain mean or weighted by the
  tokens' IDF in the scope), min-max over the candidates and added to the fused score at
  weight 0.1-1 or ranking alone: plain -0.010 to -0.081 / -0.008 to -0.042; IDF-weighted
  -0.000 to -0.060 (R@10 +0.007 to +0.014 at weights 0.1-0.5) / -0.006 to -0.038; held-out
  0.703 / 0.291. The candidates' token outputs cost about 90 x the query's embedding when
  computed at query time (30 LoCoMo turns: 934 ms against 10.6 ms, loaded machine), so a win
  would also have needed a stored token matrix per memory;
- reciprocal-rank fusion (k 60, legs 0.5 / 0.5 or 0.6 / 0.4; k 10) in place of min-max fusion,
  feedback and floor unchanged: -0.118 / -0.097 / -0.056 and -0.051 / -0.057 / -0.050;
- the semantic leg's min-max anchored below at the query's mean cosine over the whole scope
  (what an unrelated memory scores) instead of the weakest candidate: -0.020 / -0.018;
- each memory's sentences embedded apart, its cosine the best of the whole and its sentences
  (max), the sentences alone, or the mean of the two: +0.005 [-0.008, +0.018] / +0.000,
  -0.020 / -0.004, -0.001 / +0.000 (about 3 vectors per LoCoMo turn);
- memories and queries pooled from MiniLM's token outputs with weights from the scope's own
  token statistics instead of the plain mean ([CLS]/[SEP] left out): smooth inverse frequency
  (a / (a + p(token)), a 1e-3) or IDF. The dense leg alone gains much on LoCoMo, +0.120 / +0.117
  (R@10 +0.135 / +0.126), not on PrefEval, -0.006 / -0.012; the product: -0.003 [-0.017,
  +0.011] / +0.001 and +0.004 [-0.026, +0.034] / -0.012 (R@10 +0.006 / +0.004 and -0.016 /
  -0.016; held-out 0.706 / 0.303). As with whitening, the words a weighted pooling brings out
  are the keyword leg's evidence already; it would also have to re-embed a scope as its
  statistics drift.

Learned and graph-based fusion, word-level expansion, against the product (0.709 / 0.299 R@5,
main 70263a6). Measured on a replay of the whole ranking from each question's captured legs
(keyword leg at 80, the query vector, the scope's stored vectors; it reproduces the product's
R@5 on all 1,265 questions); held-out: fitted or chosen on the other conversations / topics
(learned models on the other groups of BOTH benchmarks), scored on the one left out. Where the
gold memory sits in the product's ranking: LoCoMo 0.709 at 1-5, 0.070 at 6-10, 0.062 at 11-20,
0.099 at 21-80, 0.060 not among the fused candidates; PrefEval 0.299 / 0.152 / 0.202 / 0.175
/ 0.172.
All dropped:
- learned fusion, a pairwise logistic model (RankNet, Newton's method, L2 0.001-0.1, each
  question weighing the same; the gold memory against the 30 best others in the product's
  order) over per-candidate features the product already has: its fused score, the keyword
  min-max (top at half the IDF mass), the keyword score as a share of the query's IDF mass,
  keyword-leg membership, the semantic min-max, the feedback round's cosine and its gap to
  the best, the first round's cosine and gap, each leg's reciprocal rank, and the two min-maxes
  times the keyword top's share of the mass (13 features; subsets of 2-5 too). Fitted on both
  benchmarks and scored on that same data it reaches 0.711 / 0.295 at best (all 13: 0.701-0.704
  / 0.279-0.289), i.e. never above the two-constant rule; held-out 0.659-0.712 / 0.279-0.295
  (best, the two min-maxes and their interactions at L2 0.1: 0.712 / 0.295, PrefEval -0.004
  [-0.012, +0.004]); fitted on one benchmark, scored on the other: LoCoMo -> PrefEval
  0.265-0.295, PrefEval -> LoCoMo 0.112-0.620. Against the 5 or 10 hardest others instead of
  30 it collapses (held-out 0.31-0.68 / 0.03-0.19): when the gold sits below them, the pairs
  push the weights towards whatever ranks it up there, which is noise. Any one of these
  features added to the fused score at +-0.05 to +-0.2: at best +0.004 on one benchmark with
  -0.002 or less on the other; the product sits at a local optimum of what it measures;
- query-adaptive keyword weight (a learned alpha per query, Posokhov et al., MAKE 2026): a
  ridge regression per weight 0.3-0.8 of each weight's R@5 or MRR@10 (less the question's
  mean over weights) from 8 query features (the keyword top's share of the IDF mass, the
  keyword candidates' count, the best cosine, its gap to the 5th and to the mean of the 20
  best, the overlap of the legs' 10 best, the query's content words, its IDF mass), the
  predicted best weight used. Choosing each question's best weight afterwards (the oracle)
  would give 0.749 / 0.360; predicted, held-out: 0.700-0.710 / 0.289-0.299 (paired -0.010 to
  0.000 / -0.010 to 0.000); fitted on the other benchmark 0.614-0.618 / 0.281-0.299;
- theoretical min-max (Bruch et al., TOIS 2023: each leg's lower end at what its measure
  can score, BM25 0, cosine 0 or 0.1, instead of the weakest candidate): at keyword weight
  0.6 -0.029 to -0.055 / -0.016 to -0.034; with the weight chosen again (0.3-0.8) never within
  0.007 of the product on both at once (e.g. BM25 at 0 and weight 0.8: -0.007 / -0.063);
- cluster-hypothesis smoothing: each of the fused best 20 / 40 gets alpha x the mean (plain or
  cosine-weighted) fused score of its 3 / 5 / 10 nearest among them, alpha +-0.1 / +-0.3:
  -0.013 to +0.000 / -0.014 to +0.004; the best on both pooled (20, 5 nearest, weighted, 0.1)
  -0.001 [-0.009, +0.005] / +0.002 [-0.006, +0.012]; held-out 0.698 / 0.289;
- vocabulary projection: the scope's own words (3 letters or more, no stopwords; 4,484 over
  both sets, each embedded once by MiniLM, 19 s) nearest the query vector (the 3 / 5 / 10 /
  20 best with cosine at least 0.3 / 0.45, the query's own words left out) as a third leg,
  sum of cosine x IDF over the memories holding them, min-max, weight 0.05-0.2, on the fused
  candidates or adding its own: -0.002 to -0.011 / +0.000 to -0.028; held-out 0.701 / 0.283.
  The words nearest a request are its topic and that topic's synonyms (a request for a
  course brings courses, programs, classes), not the constraint the gold preference states;
- multi-vector feedback: one moved query per best hit (q + 0.3 / 0.5 / 1 x its vector, best
  2 / 3 / 5, with or without the current mean-vector one), each candidate's best (max) or mean
  cosine over them as the semantic leg: -0.017 to +0.005 / -0.020 to +0.006; best pooled (2,
  0.5, max, with the mean one) +0.002 [-0.007, +0.012] / +0.006 [-0.016, +0.030]; held-out
  0.707 / 0.287;
- the keyword weight averaged out instead of fixed: each candidate's reciprocal rank (1 / (k
  + rank), k 1 / 5 / 20 / 60) averaged over fusions at weights 0.5-0.7, 0.45-0.75, 0.4-0.8 or
  0.3-0.9: -0.005 to -0.023 / -0.024 to +0.000; held-out 0.705 / 0.289.
Absolute floors and honest scores (main 30296fb; both benchmarks 0.705 / 0.781 and 0.299 /
0.451 R@5 / R@10 before). Every benchmark question has related memories, so a floor only
costs here, and measured offline on the captured legs of one full run (the final round's
cosines and keyword scores, the returned 20 filtered; exact for whole-recall cuts):
- kept, then taken back: the semantic floor FLOOR_MIN_COSINE 0.15 -> 0.25: 0.705 / 0.781 and
  0.299 / 0.451 offline, and the same in a full run (R@20 0.845 / 0.653, unchanged; hits per
  question 19.5 / 19.3, were 19.5 / 19.4); the memory-style set of the tests: 19 of 20
  first, 20 of 20 in the best 5, as before (33 hits over the 20 queries, were 35). In small
  stores it turns "release" -> "Fixed the memory leak in the image resizer" (cosine 0.18)
  and "security incident" -> "Customer X asked for SSO via Okta" (0.23) into no hits, but
  also "what time is the morning meeting" -> "Standup is at ten" (0.20, a rewording with no
  word in common): the benchmarks cannot see that cost (each question has a related memory),
  so the floor is 0.15 again and the score below says which hits are weak;
- kept: the shown score times fusion.evidence (one factor per recall: the keyword leg's best
  over half the IDF mass, the first round's best cosine scaled from the floor to COSINE_FULL
  0.4; the stronger, capped at 1). It reorders nothing, so every figure is unchanged. The
  first round's cosine, not the feedback round's: the moved vector leans towards the best
  hits (a lone "kubernetes" hit at 0.38 scored full evidence from the moved vector). Full
  evidence on the benchmarks: LoCoMo 99.9% of questions at COSINE_FULL 0.4 (98.6% at 0.5),
  PrefEval 93.5% (49.5% at 0.5: its requests sit at cosine 0.41-0.50 from their preferences,
  median);
- measured and not kept: FLOOR_MIN_COSINE 0.3: PrefEval R@10 0.451 -> 0.450 (LoCoMo
  unchanged); a keyword candidate vouched for only with a score of at least 0.1 / 0.2 / 0.3 /
  0.5 of the query's IDF mass (the KEYWORD_FULL_SHARE idea as a floor): LoCoMo 0.705 / 0.781,
  0.705 / 0.781, 0.705 / 0.782, 0.698 / 0.767, PrefEval R@10 0.450 / 0.448 / 0.446 / 0.448
  (hits 18.9 to 16.2): it cuts tail hits the benchmarks find and the weak lone keyword match
  is already handled by the score; with the cosine floor at 0.2-0.3 the same figures. A whole
  recall refused when its best cosine is under 0.2-0.4 and its keyword best under 0.2-0.5 of
  the mass: no benchmark question refused at any of the 15 settings (R@5/R@10 unchanged), but
  the per-candidate floor already gives "nothing" in those cases, so it adds nothing;
- measured and not kept, floors calibrated per query (offline as above): the query's cosines
  with 24 unrelated anchor sentences, their max (+0 / +0.05 / +0.1): LoCoMo 0.705 / 0.781 at
  all three (hits 19.5 / 19.5 / 19.3), PrefEval 0.299 / 0.453, 0.299 / 0.451, 0.297 / 0.450;
  their mean + 2 / 3 / 4 sd: unchanged on both (hits 19.5-19.3 / 19.4-18.7); max(0.25, mean +
  3 sd): unchanged. On the small-store cases the anchor max lets the reported one through
  ("release" -> the leak fix 0.179, anchors' max 0.172), mean + 3 sd (0.225) cuts it like
  0.25 does. The scope's own mean cosine + 1 / 2 / 3 sd (LoCoMo; a conversation's turns are
  alike, so this sits at 0.47-0.60 median): 0.705 / 0.781, 0.705 / 0.781, 0.707 / 0.784
  (hits 16.9), within noise. With all-MiniLM-L6-v2 none beats the fixed 0.25; a model whose
  unrelated cosines sit higher (bge-small, not downloadable here) would need max(floor,
  anchors' mean + 3 sd) and COSINE_FULL above it, which these figures say costs nothing here.
Proximity, word weights, residual queries, rewrites and gates (main 14bcee1, product 0.705 /
0.299 R@5). Measured on a replay of the whole ranking (both legs captured at 80 from the real
pipeline, the feedback round redone over the scope's stored vectors; it reproduces every
question's 20 hits), R@5 LoCoMo / PrefEval against the product, held-out as above. All dropped:
- proximity: the query's adjacent content-word pairs matched as FTS5 phrases or NEAR(a b, 0 /
  1 / 3 / 6), their BM25 summed, a bonus in both rounds of 0.05-0.3 x (that sum over its best,
  1 for any match, or its share of half the IDF mass): -0.020 to +0.010 / -0.012 to +0.002;
  best on both, phrases at 0.05 x the share of the best: +0.005 [+0.000, +0.011] / +0.002
  [+0.000, +0.006] (single-hop +0.010, multi-hop -0.004); held-out 0.704 / 0.299 over all 60
  settings, 0.708 / 0.299 over the 9 phrase ones. The same pairs found in Python in the best
  40's own words (adjacent or one word apart, with or without context, 0.05 / 0.1): +0.001 to
  +0.006 / +0.000, held-out 0.709 / 0.295. As a second keyword query whose BM25 joins the
  keyword leg's (x 0.25-1): -0.019 to +0.005 / -0.010 to +0.004; held out 0.710 / 0.303, but
  from opposite settings (NEAR 1 at 0.25 on LoCoMo loses 0.004 on PrefEval, phrases at 1 on
  PrefEval lose 0.012 on LoCoMo). A phrase match is weak evidence: on LoCoMo 71% of questions
  have one, in a median 10 turns, the gold among them in 70%; on PrefEval 23%, the gold among
  them in 16%;
- query-word weights from the model in the keyword leg (each term's BM25 weighted, the IDF mass
  alike; importance: the cosine of the word's own embedding with the query's, or the cosine
  lost when the word is left out; weight 1 - l + l x importance / its mean, l 0.25-1, squared
  or not): -0.007 to -0.157 / -0.006 to +0.004 (against the unweighted sum of per-term BM25,
  0.707 / 0.293: -0.009 to -0.159 / +0.000 to +0.010); held-out 0.693 / 0.281. The
  model's importance is not BM25's: a question's rarest word sits mid-way in its order (0.52);
- residual query for multi-hop: after the best hit, a keyword search for the query words it
  lacks (their BM25; when they carry any or at least 0.25 of the IDF mass), one of its hits
  every 2nd or 3rd rank from rank 2 / 3: -0.009 to -0.050 / -0.030 to -0.055 (multi-hop
  -0.020 / -0.030 at rank 3 / 2); from rank 4 / 6 (R@5 unchanged but at rank 4 every other):
  R@10 -0.001 to -0.010 / -0.016 to -0.053; the missing words' own vectors as a semantic
  search, placed alike: -0.029 to -0.062 / -0.032 to -0.063; as a bonus below the best hit,
  0.05-0.2 x the share of the missing words' IDF a candidate matches: -0.001 to -0.018 /
  -0.002 to -0.004 (multi-hop -0.009 at 0.1), held-out 0.704 / 0.295. In a sample of
  multi-hop questions, the words the best hit lacked were as often the question's frame
  words as a second fact's;
- question-to-statement rewrite for the semantic query (wh-words, a leading auxiliary and "?"
  dropped; or the leading name written "Name:" as a stored turn is), its vector added at 0.5 /
  1 / 2 to the question's: -0.006 to -0.011 / -0.008 to +0.002; held-out 0.695 / 0.295;
- a gate instead of the keyword weight: when the keyword leg's best is under 0.5 / 1 x half
  the IDF mass, its candidates kept out of the best 5 / 10 unless their cosine is within 0.05 /
  0.1 / 0.15 / 0.2 of the semantic best: -0.045 to +0.001 / -0.030 to +0.004; held-out 0.705 /
  0.297. The IDF-mass rule already weighs those candidates down; cutting them cut gold ones;
- the semantic leg's min-max top anchored at an absolute cosine (its own "how much it knows"):
  0.4 / 0.5 change no R@5, 0.6 / 0.7: +0.001 / -0.001 and -0.016 / -0.024; held-out 0.701
  / 0.297;
- IDF from the searched scope's memories instead of the whole index (LoCoMo's conversations
  share one; PrefEval has one scope): against the per-term sum, half-and-half +0.000, scope
  alone -0.010; held-out 0.703;
- feedback's weight scaled by how much the keyword leg knows (0.3 / 0.5 / 0.7 x its best's
  share of half the IDF mass, or x half of one plus half that share): -0.005 to +0.003 /
  -0.010 to +0.004; held-out 0.709 / 0.295; feedback from the semantic leg's own best 3 / 5
  (cosine-weighted) when the keyword leg's best is under 0.5 / 1 x half the IDF mass, the
  fused best otherwise: -0.002 to +0.000 / -0.016 to +0.000; held-out 0.704 / 0.295.
PrefEval's misses are mostly ties of meaning: a request for dishes to try abroad is as close
to a stored dislike of spicy food or of seafood as to the vegan diet that is its gold, and
nothing in the request tells them apart without knowledge the model lacks (other stored
preferences also fit, which is why the benchmark's scores are a lower bound).
"""

import argparse
import atexit
import json
import os
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import recall_prefeval
from recall_report import Question, Ranker, Scored, evaluate, mean_rows, report

from memory_mcp import MemoryService, Settings
from memory_mcp.storage.sqlite.fts import fts_query

LIMIT = 20
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "../shared/models/all-MiniLM-L6-v2-onnx"
_DIA_ID = re.compile(r"D:?0*(\d+):0*(\d+)")


# -- data -------------------------------------------------------------------------------------


def sessions(sample: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(date, turns) of every session with turns, in order."""
    conv = sample["conversation"]
    numbers = sorted(
        int(key.split("_")[1])
        for key, value in conv.items()
        if re.fullmatch(r"session_\d+", key) and isinstance(value, list)
    )
    return [(conv[f"session_{n}_date_time"], conv[f"session_{n}"]) for n in numbers]


def turns(sample: dict[str, Any]) -> list[dict[str, Any]]:
    """Every turn of a conversation in session order (sessions without turns are skipped)."""
    return [turn for _, session in sessions(sample) for turn in session]


def memory_text(turn: dict[str, Any]) -> str:
    text = f"{turn['speaker']}: {turn['text']}"
    if turn.get("blip_caption"):
        text += f" [image: {turn['blip_caption']}]"
    return text


def repair_evidence(raw: list[str], known: set[str], defects: Counter[str]) -> frozenset[str]:
    """Split packed ids, fix mis-typed ones, drop what cannot be repaired or does not exist."""
    ids: set[str] = set()
    for entry in raw:
        parts = [p for p in re.split(r"[;,\s]+", entry) if p]
        if len(parts) > 1:
            defects["packed entries split"] += 1
        for part in parts:
            match = _DIA_ID.fullmatch(part)
            if match is None:
                defects["unrepairable ids skipped"] += 1
                continue
            fixed = f"D{int(match[1])}:{int(match[2])}"
            if fixed != part:
                defects["mis-typed ids repaired"] += 1
            if fixed not in known:
                defects["nonexistent ids skipped"] += 1
                continue
            ids.add(fixed)
    return frozenset(ids)


def questions(sample: dict[str, Any], defects: Counter[str]) -> list[Question]:
    known = {turn["dia_id"] for turn in turns(sample)}
    result = []
    for qa in sample["qa"]:
        if qa["category"] not in CATEGORIES:
            continue
        evidence = repair_evidence(qa.get("evidence", []), known, defects)
        if not evidence:
            defects["questions without evidence skipped"] += 1
            continue
        scope = sample["sample_id"]
        category = CATEGORIES[qa["category"]]
        result.append(Question(scope, category, scope, qa["question"], evidence))
    return result


# -- the three rankers -------------------------------------------------------------------------


def context(texts: list[str], i: int, window: int) -> str | None:
    """The turns within `window` of turn i (same session), one per line."""
    around = texts[max(0, i - window) : i] + texts[i + 1 : i + 1 + window]
    return "\n".join(around) or None


def ingest(service: MemoryService, samples: list[dict[str, Any]], window: int) -> dict[int, str]:
    """Store every turn as one memory; returns memory id -> dia_id."""
    dia_ids: dict[int, str] = {}
    for sample in samples:
        items = []
        for date, session in sessions(sample):
            texts = [memory_text(turn) for turn in session]
            items += [
                {
                    "content": text,
                    "scope": sample["sample_id"],
                    "metadata": {"dia_id": turn["dia_id"]},
                    "occurred_at": date,
                    "context": context(texts, i, window) if window else None,
                }
                for i, (turn, text) in enumerate(zip(session, texts, strict=True))
            ]
        ids = service.remember_many(items, dedup=False)  # every turn is its own memory
        dia_ids.update(zip(ids, (i["metadata"]["dia_id"] for i in items), strict=True))
    return dia_ids


# The BM25 baseline: FTS5 over the memories' own text only, as the product indexed it before
# context and dates were added; built in the benchmark's throwaway database.
_BASELINE_FTS = [
    """
    create virtual table baseline_fts using fts5 (
        content, content = 'memories', content_rowid = 'id', tokenize = 'porter unicode61'
    )
    """,
    "insert into baseline_fts (baseline_fts) values ('rebuild')",
]
_BASELINE_SEARCH = f"""
    select m.id from baseline_fts join memories m on m.id = baseline_fts.rowid
    where baseline_fts match :match and m.scope = :scope
    order by bm25(baseline_fts) limit {LIMIT}
"""


def rankers(service: MemoryService, dia_ids: dict[int, str]) -> dict[str, Ranker]:
    embedder = service.semantic.embedder
    assert embedder is not None
    on_sqlite = hasattr(service.store, "conn")
    for statement in _BASELINE_FTS if on_sqlite else []:
        service.store.conn.execute(statement)  # type: ignore[attr-defined]

    def product(q: str, scope: str) -> list[str]:
        return [dia_ids[h.id] for h in service.recall(q, limit=LIMIT, scope=scope).hits]

    def bm25(q: str, scope: str) -> list[str]:
        if not on_sqlite:  # PostgreSQL: its keyword leg over content alone
            flt = service.make_filter(scope=scope)
            found = service.store.search_keywords(q, flt, LIMIT, (1, 0, 0))
            return [dia_ids[i] for i, _ in found]
        match = fts_query(q)
        if not match:
            return []
        conn = service.store.conn  # type: ignore[attr-defined]
        rows = conn.execute(_BASELINE_SEARCH, {"match": match, "scope": scope})
        return [dia_ids[int(row[0])] for row in rows]

    def dense(q: str, scope: str) -> list[str]:
        flt = service.make_filter(scope=scope)
        hits = service.store.search_vectors(embedder.embed_query(q), flt, LIMIT)
        return [dia_ids[mid] for mid, _ in hits]

    return {"product": product, "bm25": bm25, "dense": dense}


# -- running -----------------------------------------------------------------------------------


DB_URL: str | None = None  # --db: a PostgreSQL server instead of files in tmp


def open_service(tmp: str, name: str, model: Path | None) -> MemoryService:
    settings = Settings(db=Path(tmp) / f"{name}.db", model_dir=model)
    if DB_URL:
        schema = f"bench_{name}_{os.getpid()}"
        settings = Settings(db=DB_URL, pg_schema=schema, model_dir=model)
        atexit.register(drop_schema, DB_URL, schema)
    service = MemoryService.open(settings)
    if not service.semantic.ensure():
        raise SystemExit(f"The embedding model did not load: {service.semantic.reason}")
    return service


def run_locomo(args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    samples = json.loads(args.data.read_text())[: args.limit_conversations]
    defects: Counter[str] = Counter()
    qs = [q for sample in samples for q in questions(sample, defects)]
    service = open_service(tmp, "locomo", model_dir(args.model_dir))
    started = time.perf_counter()
    dia_ids = ingest(service, samples, args.context_window)
    print(f"LoCoMo: ingested {len(dia_ids)} turns in {time.perf_counter() - started:.1f}s; "
          f"{len(qs)} questions (categories 1-4) from {len(samples)} conversations")  # fmt: skip
    for defect, count in sorted(defects.items()):
        print(f"  evidence: {defect}: {count}")
    scored = evaluate(rankers(service, dia_ids), qs)
    service.close()
    return legacy_shape(scored) | {"report": report("LoCoMo", scored)}


def run_prefeval(args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    rows = json.loads(args.prefeval.read_text())
    service = open_service(tmp, "prefeval", model_dir(args.model_dir))
    labels, qs = recall_prefeval.ingest(service, rows)
    print(f"PrefEval: {len(qs)} questions over {len(labels)} preferences in one scope")
    scored = evaluate(rankers(service, labels), qs)
    service.close()
    means = legacy_shape(scored)
    return {name: means[name]["overall"] for name in ("product", "bm25", "dense")} | {
        "report": report("PrefEval", scored)
    }


def legacy_shape(scored: Scored) -> dict[str, Any]:
    """{ranker: {overall, by_category}} of metric means, as --json-out always wrote."""
    out: dict[str, Any] = {}
    for name, rows in scored.rows.items():
        cats = sorted({q.category for q in scored.qs})
        out[name] = {
            "overall": mean_rows(rows),
            "by_category": {
                c: mean_rows([r for q, r in zip(scored.qs, rows, strict=True) if q.category == c])
                for c in cats
            },
        }
    return out


def model_dir(arg: str | None) -> Path | None:
    chosen = arg or os.environ.get("MEMORY_MCP_MODEL_DIR")
    if chosen:
        return Path(chosen)
    return DEFAULT_MODEL_DIR.resolve() if DEFAULT_MODEL_DIR.is_dir() else None


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'drop schema if exists "{schema}" cascade')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="LoCoMo JSON file")
    parser.add_argument("--prefeval", type=Path, help="PrefEval JSON file")
    parser.add_argument("--json-out", type=Path, help="write the scores here as JSON")
    parser.add_argument("--limit-conversations", type=int, help="use only the first N")
    parser.add_argument("--model-dir", help="local ONNX model dir (MEMORY_MCP_MODEL_DIR)")
    parser.add_argument("--db", help="a postgresql:// URL: run on PostgreSQL instead")
    parser.add_argument(
        "--context-window",
        type=int,
        default=2,
        help="turns either side stored as each memory's context (0: none)",
    )
    args = parser.parse_args()
    if args.data is None and args.prefeval is None:
        parser.error("give --data (LoCoMo), --prefeval, or both")
    return args


def main() -> None:
    global DB_URL
    args = parse_args()
    DB_URL = args.db
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.data is not None:
            results = run_locomo(args, tmp)
        if args.prefeval is not None:
            results["prefeval"] = run_prefeval(args, tmp)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
