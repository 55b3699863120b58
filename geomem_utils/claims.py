"""The claims and today's verdicts: one source for the chapters' summary tables, the README's chapter
table and the reading site's index (so they cannot drift). A verdict is "agree", "partly", "disagree"
or "not searched" (a single setting was run; no grid was searched yet). A searched claim's verdict is its
pre-registered search's (``experiments.searches``: reproduces → agree, partly, does not reproduce in the
grid → disagree). Paper claims C1–C21 and the
Mamba claim are numbered as in ``paper-spec.md`` §3.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import check_choice

VERDICTS = ("agree", "partly", "disagree", "not searched")


@dataclass(frozen=True)
class Claim:
    claim: str          # C1 … C17, Mamba
    chapter: str        # the chapter that tests it: "02", "03a", …
    statement: str      # the paper's claim, one line
    verdict: str        # one of VERDICTS
    evidence: str       # the numbers behind the verdict, from the chapter's stored outputs

    def __post_init__(self):
        check_choice("verdict", self.verdict, VERDICTS)


CLAIMS = (
    Claim('C1', '03a',
          'In-context path-star fails under next-token training: v1 at chance, later tokens ~100% (Clever Hans); reverse targets succeed.',
          'agree',
          "fwd: v1 0.51 (chance 0.5), TF after v1 [1.0,1.0,1.0] -> agree; reverse searched (C1_reverse, 8 cells x 3 seeds): "
          "width 128 exact 1.00 on 3/3 seeds after a 1,750-3,000-step plateau -> reproduces; width 64 lr 3e-4 2/3, lr 1e-3/3e-3, d=3, l=3, depth 4 0/3 [checked: record/03a_in_context_search]"),
    Claim('C2', '02',
          "A model that memorized one path-star's edges in its weights decodes full paths to held-out leaves (paper: up to 100% at 20k-90k nodes).",
          'agree',
          'G_(100,5), 200 steps: held-out exact 1.00, first hop 1.00 vs 1/100 [unchecked c.8]; checked: exact>=0.5 True, v1>20x chance True; '
          "at scale (chapter 11; one seed per paper-graph run): G_(5000,5) 0.97 in 20 min on 2 cores, 0.75 on the authors' own files; "
          'l = 8 / 10 on G_(200,.): 0.00 from a random start, >= 0.9 on 3/3 seeds from the undiluted spectral start (random control 0/3); '
          'G_(10^4,6) 0.05 plain / 0.19 spectral start; G_(10^4,10) 0.00 from both'),
    Claim('C3', '03b',
          'No reverse-learning cascade: per-position held-out accuracies rise together, not last-token-first.',
          'partly',
          'searched (3 lr x 3 seeds, eval every 5 steps): last-first cascade in 0/9 runs, positions together in 0/9; v3, v2 first, leaf later, v1 last in 9/9 [checked: record/03b_learning_order_search]'),
    Claim('C4', '03b',
          'The hardest token alone (first-hop-only objective, target v1) is learnable on held-out leaves, far above 1/d.',
          'agree',
          'first hop only: held-out v1 0.80 vs chance 0.010; train 1.00, edges 1.00 [checked: chapter 03b; record/03b prints the C4 verdict: reproduces]'),
    Claim('C5', '03b',
          'With token embeddings (and tied unembedding) frozen, the in-weights task fails although edges are memorized.',
          'agree',
          'frozen: edge recovery 1.00, train exact 1.00, held-out v1 0.00 (full) / 0.00 (first hop) vs chance 0.01 [checked: chapter 03b; record/03b prints the C5 verdict: reproduces]'),
    Claim('C6', '04',
          'Embeddings are globally geometric on unseen paths (leaf near its v1); weaker but present with edges-only training.',
          'agree',
          'G_(200,5) nearest own 1.00/1.00/0.94 (chance 0.02), gap 0.45/0.43/0.39; 1-step nav 1.00/0.98/0.92; edges-only weaker True'),
    Claim('C7', '05',
          'The same architectures can memorize associatively: frozen embeddings give 100% edge recovery, no geometry; wide frozen model in ~1 step.',
          'agree',
          'assoc: recovery 1.00 on 4/4, skewed margin -0.01/-0.34/-0.16/-0.16, geom level ~0; wide frozen (512) 100% at step 1'),
    Claim('C8', '05',
          'With trainable embeddings, geometry emerges from edge-only supervision in the Transformer and the neural net.',
          'partly',
          "searched (recipe x lr x width, 5 seeds): width 128 geometric on 4/4 graphs x 5/5 seeds (star/grid/cycle/irregular +3.41/+5.79/+7.04/+8.67, paper 4.08/2.51/7.87/8.13); width 32 star 2/5; authors' ordering in no cell"),
    Claim('C9', '05',
          'Geometry is not more succinct than lookup on path-stars and cycles: geometric/associative cost ratio lies in [1, 2].',
          'agree',
          'bits ratio G_4,5 1.12, G_5000,5 1.02, G_1e4,10 1.01, 15-cycle 2.00, 1e6-cycle 2.00; l2 ratio 1.00-1.03 [checked: chapter 05 summary]'),
    Claim('C10', '06',
          "Node2Vec: C(0) ~ -L; V converges onto the Fiedler-like eigenvectors of -L, which enter C(t)'s null space.",
          'partly',
          'C(0) err <=5e-17; cycle: 2 survivors, ||Ce|| 8.6e-06 vs >=6.0e-02; star/grid/irreg: Fiedler ||Ce|| ~ others (0.16 vs 0.17)'),
    Claim('C11', '06',
          "Headroom: Node2Vec's geometry is cleaner than the Transformer's and neural net's, which beat the associative model's.",
          'partly',
          "conc. (3 seeds) N2V .96/.98/1.00/.59 > TF .46/.55/.48/.30 > NN .31/.36/.29/.14 > assoc .19/.15/.13/.06; TF>NN on every graph by >0.05 'differs from paper'; headroom (chapter 07, G_(100,5), 120 steps, 3 seeds): the undiluted spectral start raises held-out exact most (+0.37), the diluted one +0.05"),
    Claim('C12', '08',
          'Both edge dirs -> forward path works; forward-only edges -> both fail; backward-only -> only reverse works; reverse learned faster.',
          'partly',
          'both/fwd held-out 1.00; fwd-only 0.00/0.00; reverse searched (3 lr, 5 pauses, bwd-only x 3 seeds, 2,400 steps): reverse 1.00 on every seed at lr 5e-3 (only the leaf echo fails below), 50% by step 600-650 vs forward 75-125 (not faster); bwd-only/reverse 0.00 (echo never)'),
    Claim('C13', '08',
          'Pause tokens speed up convergence.',
          'disagree',
          'searched (0/2/6 pauses x 3 lr x 3 seeds, eval every 10; l=6): steps to 50% with pauses 0.85-1.00x of none (criterion 0.8x); l=6 never reaches 50% in 2,400 steps; final exact higher with pauses at lr 1e-3'),
    Claim('C14', '08',
          'Staged training (edges to 100% first, then paths at lower lr) peaks high, then decays.',
          'agree',
          'staged: peak 1.00 at step 240, final 0.40, edge recovery 0.89; mixed: 1.00 final, edges 1.00 (600 steps)'),
    Claim('C15', '08',
          'Tree-stars are harder but above chance (split at leaf vs split at first hop).',
          'disagree',
          'searched (T_(16,4), 2 lr x 3 seeds, 2,000 steps; first-hop split; path-star G_(16,4)): leaf split first hop 0.83-0.88 (chance 1/16) but exact best 0.00-0.12 (5x chance 0.078 not on every seed); first-hop split 0.00; the path-star reference is 0.00 too'),
    Claim('C16', '07',
          '15-cycle NN: N(0,1) init + lr 1e-4 is associative; small init, lr 0.1, weight decay 10 or dropout 0.4 give geometry.',
          'partly',
          "ours (1 seed): lr 0.1 borderline, dropout 0.4 at lr 1e-4 associative; searched with the authors' recipe (3 seeds): dropout 0.4 at lr 1e-3 after W geometric 3/3, but lr 1e-3 without dropout too (3/3); lr 0.1 2/3; the N(0,1) lr 1e-4 base associative on 1/3 only"),
    Claim('C17', '07',
          'Self-edges (u,u) remove the zigzag component (mass on the most negative eigenvectors; anti-aligned neighbours).',
          'agree',
          'zigzag share NN 0.30->0.11, TF 0.27->0.06; cos(adjacent) NN -0.15->+0.53, TF +0.26->+0.59 [checked: chapter 07]'),
    Claim('C18', '12',
          'Weight tying matters: untied (separate input/output matrices) the visible geometry is lost; negative-eigenvalue directions fold into a zigzag.',
          'partly',
          'Node2Vec: untied U at chance on 6/7 graphs (cycle conc. 0.14 vs 0.14; tied 1.00), no zigzag fold, cos(U_i,V_j)~A 0.41-0.71; neural net: E keeps its geometry untied, the zigzag moves to V'),
    Claim('C19', '12',
          'Appendix F assumes the eigenvectors of P(t)+P(t)^T stay aligned with those of V(t)V(t)^T (no proof given).',
          'partly',
          'top-k angle at 10,000 steps: cycle 0.01 deg (holds); grid/star/irregular 10-19; path-star/karate/power law 29-49 (fails)'),
    Claim('C20', '12',
          'Past convergence, degenerate directions can drift; early stopping "may be needed".',
          'agree',
          '1e5 steps: Fiedler concentration falls from its best on star/grid/irregular (0.956->0.906 star), norm grows; cycle fixed; the stopping rule stops at step 4,642'),
    Claim('C21', '12',
          'What picks the store is open (init scale, lr, weight decay, dropout; W init); a wide model uses a minimal set of eigendirections (2 on the cycle).',
          'partly',
          'E~N(0,1): trainable W associative, frozen W geometric on star/grid (all seeds); W=I frozen geometric everywhere but recovers 0.50-0.65; lookup in 1-2 steps only at width >= 128; 90% of E in 2 directions on the cycle for Node2Vec, 4-10 for the width-512 neural net (grid lr x steps x 3 seeds; chance 14)'),
    Claim('Mamba', '08',
          'Mamba also solves the in-weights path-star task, with strong edges-only geometry.',
          'partly',
          'searched (lr 1e-2 x 3 seeds, 2,400 steps; lr 5e-3 cell not run): held-out exact past 50% at steps 1,200-1,600 on every seed, final 0.56-0.76 (criterion 0.9 not met); 1,200 steps at lr 5e-3: 0.00; embeddings geometric (nearest own 1.00)'),
)


def claims_of(chapter: str) -> list[Claim]:
    """The claims a chapter tests, in claim order; a chapter with none is a ValueError naming it."""
    found = [c for c in CLAIMS if c.chapter == chapter]
    if not found:
        raise ValueError(f"chapter {chapter!r} tests no claim; chapters with claims: {sorted({c.chapter for c in CLAIMS})}")
    return found


def verdict_of(claim: str) -> str:
    for c in CLAIMS:
        if c.claim == claim:
            return c.verdict
    raise ValueError(f"claim {claim!r} is not one of {[c.claim for c in CLAIMS]}")
