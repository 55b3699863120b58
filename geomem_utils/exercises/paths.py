"""Coding exercises of chapters 00–02 (see ``exercises.core``): the path-star task and how it is scored.

    00  walk_to_root    the chain of one-hop lookups from a leaf back to the root (paper §1–2)
    01  arms            the arms of G_{d,ℓ} with canonical ids (paper §2)
    01  path_example    a path-finding example: prompt, targets and the target mask (paper §2)
    02  greedy_decode   free-running decoding, one argmax token at a time (paper §2)
    02  path_scores     exact match and first-hop accuracy of decoded paths (paper §2)
"""
from __future__ import annotations

import numpy as np

from ..graphs import path_star
from .core import Case, Exercise, checker

__all__: list[str] = []


# ---------------------------------------------------------------- 00: the chain of lookups
def walk_to_root(edges, root, leaf):
    """Paper §1–2 (the ℓ-fold composition argument): the nodes met when a memory that only knows single
    edges walks from ``leaf`` back to ``root`` — ``[leaf, v_{ℓ-2}, …, v1, root]``, one lookup per step.
    ``edges``: the undirected edges of a path-star, (E, 2), each edge once in either orientation."""
    neighbours = {}
    for u, v in np.asarray(edges).tolist():
        neighbours.setdefault(u, []).append(v)
        neighbours.setdefault(v, []).append(u)
    path, previous = [int(leaf)], None
    while path[-1] != root:
        here = path[-1]
        path.append(next(n for n in neighbours[here] if n != previous))  # the one neighbour not just left
        previous = here
    return path


def _wrong_stops_at_first_hop(edges, root, leaf):
    return walk_to_root(edges, root, leaf)[:-1]          # leaves the root out


def _wrong_root_first(edges, root, leaf):
    return walk_to_root(edges, root, leaf)[::-1]         # the path in the root-to-leaf order


def _wrong_edges_as_directed(edges, root, leaf):
    nxt = {int(u): int(v) for u, v in np.asarray(edges)}  # only u -> v: a leaf has no way out
    path = [int(leaf)]
    while path[-1] in nxt and path[-1] != root:
        path.append(nxt[path[-1]])
    return path


def _walk_cases(rng):
    cases = []
    for _ in range(5):
        d, l, seed = int(rng.integers(2, 7)), int(rng.integers(3, 8)), int(rng.integers(100))
        g = path_star(d, l, seed=seed)
        i = int(rng.integers(d))
        cases.append(Case(f"G_({d},{l}) seed {seed}, leaf {int(g.leaves[i])}", (g.edges, g.root, int(g.leaves[i]))))
    return cases


check_walk_to_root = checker(Exercise(
    "walk_to_root", "00", 1, "the chain of lookups from a leaf to the root", walk_to_root, _walk_cases,
    hint="start at the leaf, step to the neighbour you did not come from, stop at (and include) the root; "
         "each edge is stored once, so look it up in both orientations",
    wrong=(_wrong_stops_at_first_hop, _wrong_root_first, _wrong_edges_as_directed)))


# ---------------------------------------------------------------- 01: the graph and its examples
def arms(d, l):
    """Paper §2: the arms of G_{d,ℓ} with canonical ids, a (d, ℓ) integer array. Row i is
    ``root = 0, v1, …, leaf``; the non-root nodes are numbered 1, 2, … arm after arm, away from the root
    (``path_star(d, l, seed=None).paths``)."""
    out = np.zeros((d, l), dtype=np.int64)
    out[:, 1:] = 1 + np.arange(d * (l - 1)).reshape(d, l - 1)
    return out


def _wrong_l_without_root(d, l):
    out = np.zeros((d, l + 1), dtype=np.int64)           # ℓ read as the nodes *below* the root
    out[:, 1:] = 1 + np.arange(d * l).reshape(d, l)
    return out


def _wrong_level_by_level(d, l):
    out = np.zeros((d, l), dtype=np.int64)               # numbered across the arms, one level at a time
    out[:, 1:] = 1 + np.arange(d * (l - 1)).reshape(l - 1, d).T
    return out


def _arms_cases(rng):
    return [Case(f"d={d}, l={l}", (int(d), int(l))) for d, l in zip(rng.integers(2, 8, 4), rng.integers(3, 8, 4))]


check_arms = checker(Exercise(
    "arms", "01", 1, "the arms of G_{d,ℓ}", arms, _arms_cases,
    hint="ℓ counts the root, so each arm has ℓ-1 new nodes; number them arm after arm",
    wrong=(_wrong_l_without_root, _wrong_level_by_level)))


def path_example(path, n_pause, mode, path_token, pause_token):
    """Paper §2: one path example for the root-to-leaf ``path``: ``(tokens, is_target)``, two lists of
    equal length. Prompt ``[PATH] leaf [PAUSE]×n_pause``, then the targets: ``forward`` root … leaf,
    ``reverse`` leaf … root, ``first_hop`` v1 alone. Only the targets are marked True."""
    path = [int(t) for t in path]
    prompt = [path_token, path[-1]] + [pause_token] * n_pause
    targets = {"forward": path, "reverse": path[::-1], "first_hop": path[1:2]}[mode]
    return prompt + targets, [False] * len(prompt) + [True] * len(targets)


def _wrong_first_hop_is_root(path, n_pause, mode, path_token, pause_token):
    if mode == "first_hop":                              # the first node of the path is the root, not v1
        prompt = [path_token, int(path[-1])] + [pause_token] * n_pause
        return prompt + [int(path[0])], [False] * len(prompt) + [True]
    return path_example(path, n_pause, mode, path_token, pause_token)


def _wrong_leaf_is_target(path, n_pause, mode, path_token, pause_token):
    tokens, is_target = path_example(path, n_pause, mode, path_token, pause_token)
    return tokens, [i >= len(tokens) - sum(is_target) - 1 for i in range(len(tokens))]  # one too early


def _wrong_reverse_as_forward(path, n_pause, mode, path_token, pause_token):
    return path_example(path, n_pause, "forward" if mode == "reverse" else mode, path_token, pause_token)


def _example_cases(rng):
    cases = []
    for mode in ("forward", "reverse", "first_hop") * 2:
        d, l, k = int(rng.integers(2, 9)), int(rng.integers(3, 8)), int(rng.integers(0, 4))
        g = path_star(d, l, seed=int(rng.integers(100)))
        cases.append(Case(f"G_({d},{l}), {mode}, {k} pauses", (g.paths[int(rng.integers(d))], k, mode, g.n + 2, g.n + 3)))
    return cases


check_path_example = checker(Exercise(
    "path_example", "01", 2, "a path example and its target mask", path_example, _example_cases,
    hint="the prompt is [PATH], the leaf (the path's last node) and the pauses; only the tokens after it are "
         "targets; v1 is the node right after the root",
    wrong=(_wrong_first_hop_is_root, _wrong_leaf_is_target, _wrong_reverse_as_forward)))


# ---------------------------------------------------------------- 02: decoding and scoring
class ToyLM:
    """A causal toy language model for the decoding exercise: ``model(x)`` maps token ids (N, T) to
    next-token logits (N, T, V); the logits at position t depend on the tokens up to t."""

    def __init__(self, vocab: int, rng: np.random.Generator):
        self.now, self.past = rng.normal(size=(vocab, vocab)), rng.normal(size=(vocab, vocab))

    def __call__(self, x):
        x = np.asarray(x)
        history = np.cumsum(self.past[x], axis=1) / np.arange(1, x.shape[1] + 1)[None, :, None]
        return self.now[x] + history


def greedy_decode(model, prompts, n_tokens):
    """Paper §2 (how held-out paths are produced): append the argmax of the last position's logits
    ``n_tokens`` times to every prompt; return only the new tokens, (N, n_tokens).
    ``model(x)``: ids (N, T) -> next-token logits (N, T, V)."""
    x = np.asarray(prompts)
    for _ in range(n_tokens):
        nxt = model(x)[:, -1].argmax(-1)
        x = np.concatenate([x, nxt[:, None]], axis=1)
    return x[:, np.asarray(prompts).shape[1]:]


def _wrong_first_position(model, prompts, n_tokens):
    x = np.asarray(prompts)
    for _ in range(n_tokens):
        x = np.concatenate([x, model(x)[:, 0].argmax(-1)[:, None]], axis=1)   # the logits after token 0
    return x[:, np.asarray(prompts).shape[1]:]


def _wrong_no_feedback(model, prompts, n_tokens):
    nxt = model(np.asarray(prompts))[:, -1].argmax(-1)                      # its own tokens never fed back
    return np.repeat(nxt[:, None], n_tokens, axis=1)


def _wrong_keeps_prompt(model, prompts, n_tokens):
    x = np.asarray(prompts)
    for _ in range(n_tokens):
        x = np.concatenate([x, model(x)[:, -1].argmax(-1)[:, None]], axis=1)
    return x                                                                  # prompt and decode together


def _decode_cases(rng):
    cases = []
    for _ in range(3):
        V, N, T, k = int(rng.integers(8, 16)), int(rng.integers(4, 8)), int(rng.integers(2, 5)), int(rng.integers(3, 6))
        cases.append(Case(f"vocabulary {V}, {N} prompts of {T} tokens, {k} new tokens",
                          (ToyLM(V, rng), rng.integers(0, V, size=(N, T)), k)))
    return cases


check_greedy_decode = checker(Exercise(
    "greedy_decode", "02", 2, "greedy decoding", greedy_decode, _decode_cases,
    hint="take the logits at the last position, append their argmax to the input, call the model again; "
         "return only the new tokens",
    wrong=(_wrong_first_position, _wrong_no_feedback, _wrong_keeps_prompt)))


def path_scores(predictions, answers):
    """Paper §2: ``(exact_match, first_hop)`` for decoded forward paths (rows ``root, v1, …, leaf``):
    the fraction of rows decoded entirely right, and the fraction whose v1 (column 1) is right."""
    right = np.asarray(predictions) == np.asarray(answers)
    return float(right.all(axis=1).mean()), float(right[:, 1].mean())


def _wrong_token_accuracy(predictions, answers):
    right = np.asarray(predictions) == np.asarray(answers)
    return float(right.mean()), float(right[:, 1].mean())                   # tokens, not whole paths


def _wrong_root_as_first_hop(predictions, answers):
    right = np.asarray(predictions) == np.asarray(answers)
    return float(right.all(axis=1).mean()), float(right[:, 0].mean())       # column 0 is the root


def _score_cases(rng):
    cases = []
    for _ in range(3):
        P, l = int(rng.integers(6, 12)), int(rng.integers(4, 8))
        answers = rng.integers(0, 50, size=(P, l))
        wrong = rng.random((P, l)) < 0.25
        wrong[:, 0] = False                   # the root comes first in every path: models get it right
        wrong[0, 1], wrong[1] = True, False   # at least one wrong v1, and one path decoded exactly
        wrong[2, 1:], wrong[2, -1] = False, True  # and one path right but for its last token
        cases.append(Case(f"{P} paths of {l} nodes", (np.where(wrong, answers + 1, answers), answers)))
    return cases


check_path_scores = checker(Exercise(
    "path_scores", "02", 1, "exact match and first-hop accuracy", path_scores, _score_cases,
    hint="exact match needs every token of a row right (all over axis 1); v1 is column 1, after the root",
    wrong=(_wrong_token_accuracy, _wrong_root_as_first_hop)))

__all__ += ["check_walk_to_root", "walk_to_root", "check_arms", "arms", "check_path_example", "path_example",
            "check_greedy_decode", "greedy_decode", "ToyLM", "check_path_scores", "path_scores"]
