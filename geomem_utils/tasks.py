"""Token sequences for the paper's tasks (spec §2 "Sequences").

In-weights (one fixed graph, memorized in the weights):
    edge example   ``[EDGE] u -> v``                       (every edge; forward, backward or both)
    path example   ``[PATH] leaf [PAUSE]*k -> root v1 .. leaf``   (forward; also reverse, hardest-token)
In-context (the predecessor's task, a fresh random labelling per example):
    ``u , v | u , v | ... / start , goal = root v1 .. leaf``

Every example is a row of token ids plus a boolean mask of the positions whose token is a *target*;
the loss is taken on targets only. ``Examples.inputs_targets`` gives the shifted (x, y) pair a causal
model trains on, with -1 (ignored) at non-target positions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .config import check_choice, check_float, check_int, check_size
from .graphs import Graph, given_split, leaf_split, path_star

IGNORE = -1
SPECIALS = ("[PAD]", "[EDGE]", "[PATH]", "[PAUSE]")
EDGE_DIRECTIONS = ("forward", "backward", "both")
PATH_MODES = ("forward", "reverse", "first_hop", "none")


class Vocab:
    """Node tokens ``0..n-1`` followed by special tokens."""

    def __init__(self, n_nodes: int, specials=SPECIALS):
        self.n_nodes = check_int("n_nodes", n_nodes, minimum=1)
        self.specials = tuple(specials)
        self._id = {s: n_nodes + i for i, s in enumerate(self.specials)}

    def __len__(self) -> int:
        return self.n_nodes + len(self.specials)

    def __getitem__(self, name: str) -> int:
        return self._id[name]

    def token(self, i: int) -> str:
        i = int(i)
        return str(i) if i < self.n_nodes else self.specials[i - self.n_nodes]

    def decode(self, ids) -> str:
        """Readable text of a row of ids, padding dropped: ``'[PATH] 17 [PAUSE] 3 9'``."""
        return " ".join(self.token(i) for i in np.asarray(ids).ravel() if int(i) != self._id.get("[PAD]"))

    def __repr__(self) -> str:
        return f"Vocab({self.n_nodes} nodes + {list(self.specials)})"


@dataclass
class Examples:
    """A padded batch of sequences with a target mask (numpy, so it prints and slices easily)."""

    tokens: np.ndarray   # (N, T) int64
    is_target: np.ndarray  # (N, T) bool
    kind: np.ndarray     # (N,) str: 'edge' / 'path'

    def __len__(self) -> int:
        return len(self.tokens)

    def inputs_targets(self, device=None) -> tuple[torch.Tensor, torch.Tensor]:
        """(x, y) for next-token training: ``y[:, t]`` is the token at t+1 if it is a target, else -1."""
        x = torch.as_tensor(self.tokens[:, :-1], device=device)
        y = torch.as_tensor(np.where(self.is_target[:, 1:], self.tokens[:, 1:], IGNORE), device=device)
        return x, y


def _stack(rows: list[list[int]], targets: list[list[bool]], kinds: list[str], pad: int) -> Examples:
    T = max(len(r) for r in rows)
    tok = np.full((len(rows), T), pad, dtype=np.int64)
    tgt = np.zeros((len(rows), T), dtype=bool)
    for i, (r, t) in enumerate(zip(rows, targets)):
        tok[i, : len(r)] = r
        tgt[i, : len(t)] = t
    return Examples(tok, tgt, np.asarray(kinds))


def concat(*parts: Examples, pad: int) -> Examples:
    """Stack example sets of different lengths into one padded set."""
    parts = [p for p in parts if len(p)]
    T = max(p.tokens.shape[1] for p in parts)
    tok = np.concatenate([np.pad(p.tokens, ((0, 0), (0, T - p.tokens.shape[1])), constant_values=pad) for p in parts])
    tgt = np.concatenate([np.pad(p.is_target, ((0, 0), (0, T - p.is_target.shape[1]))) for p in parts])
    return Examples(tok, tgt, np.concatenate([p.kind for p in parts]))


def _edge_examples(E: np.ndarray, n: int, self_edges: bool, vocab: Vocab) -> Examples:
    """``[EDGE] u v`` rows for the directed edges E (plus ``(u, u)`` for every node with self-edges)."""
    if self_edges:
        loops = np.arange(n)
        E = np.concatenate([E, np.stack([loops, loops], 1)])
    tok = np.column_stack([np.full(len(E), vocab["[EDGE]"]), E]).astype(np.int64)
    tgt = np.zeros_like(tok, dtype=bool)
    tgt[:, 2] = True
    return Examples(tok, tgt, np.full(len(E), "edge"))


class PathStarTask:
    """The in-weights path-star task on one fixed star graph (paper §2, spec "Sequences").

    Parameters
    ----------
    graph : a star ``Graph`` (``path_star`` or ``tree_star``).
    edge_direction : which edge examples to train on: ``forward`` (away from the root), ``backward``, ``both``.
    self_edges : also train ``[EDGE] u -> u`` for every node (claim C17).
    path_mode : ``forward`` (root .. leaf), ``reverse`` (leaf .. root), ``hardest`` (the single target v1,
        claim C4) or ``none`` (edges only, claim C6).
    n_pause : number of ``[PAUSE]`` tokens after the leaf (claim C13).
    train_fraction, split_seed : the seeded leaf split (paper: 75% of leaves give training paths).
    split_by : ``leaf`` or ``first_hop`` (tree-stars: whole subtrees below a first hop held out, C15), or
        ``given``: the split that came with the graph (the authors' files; train_fraction is then unused).
    """

    def __init__(self, graph: Graph, edge_direction: str = "both", self_edges: bool = False,
                 path_mode: str = "forward", n_pause: int = 1, train_fraction: float = 0.75,
                 split_seed: int = 0, split_by: str = "leaf"):
        if not isinstance(graph, Graph) or graph.paths is None:
            raise ValueError("graph must be a star Graph (path_star or tree_star) with a root and paths")
        self.graph = graph
        self.edge_direction = check_choice("edge_direction", edge_direction, EDGE_DIRECTIONS)
        if not isinstance(self_edges, (bool, np.bool_)):
            raise ValueError(f"self_edges must be True or False, got {self_edges!r}")
        self.self_edges = bool(self_edges)
        self.path_mode = check_choice("path_mode", path_mode, PATH_MODES)
        self.n_pause = check_int("n_pause", n_pause, minimum=0, maximum=64)
        self.train_fraction = check_float("train_fraction", train_fraction, minimum=0.0, maximum=1.0)
        self.split_seed = check_int("split_seed", split_seed, minimum=0)
        self.vocab = Vocab(graph.n)
        self.split_by = split_by
        if split_by == "given":
            self.train_paths, self.test_paths = given_split(graph)
        else:
            self.train_paths, self.test_paths = leaf_split(graph, train_fraction, split_seed, by=split_by)

    # -- description ---------------------------------------------------------------------
    def config(self) -> dict:
        """Everything that determines the examples (stored with cached results)."""
        return dict(graph=self.graph.params, edge_direction=self.edge_direction, self_edges=self.self_edges,
                    path_mode=self.path_mode, n_pause=self.n_pause, train_fraction=self.train_fraction,
                    split_seed=self.split_seed, split_by=self.split_by)

    @property
    def chance(self) -> float:
        """Chance level of the first (hardest) token: 1 / number of root children."""
        return 1.0 / len(np.unique(self.graph.first_hops))

    # -- examples ------------------------------------------------------------------------
    def edge_examples(self) -> Examples:
        """``[EDGE] u v`` for every directed edge in ``edge_direction`` (plus self-edges if asked)."""
        E = self.graph.directed_edges(self.edge_direction)
        return _edge_examples(E, self.graph.n, self.self_edges, self.vocab)

    def targets_of(self, path: np.ndarray) -> np.ndarray:
        """The target tokens for one root-to-leaf path under ``path_mode``."""
        if self.path_mode == "forward":
            return path
        if self.path_mode == "reverse":
            return path[::-1]
        if self.path_mode == "first_hop":
            return path[1:2]
        raise ValueError("path_mode='none' has no path targets")

    def prompt_of(self, path: np.ndarray) -> list[int]:
        return [self.vocab["[PATH]"], int(path[-1])] + [self.vocab["[PAUSE]"]] * self.n_pause

    def path_examples(self, split: str = "train") -> Examples:
        """Path examples of the ``train`` or ``test`` (held-out) leaves, targets included."""
        if self.path_mode == "none":
            return Examples(np.zeros((0, 1), np.int64), np.zeros((0, 1), bool), np.zeros(0, str))
        rows, tg = [], []
        for p in self.graph.paths[self.split_indices(split)]:
            prompt, target = self.prompt_of(p), [int(t) for t in self.targets_of(p)]
            rows.append(prompt + target)
            tg.append([False] * len(prompt) + [True] * len(target))
        return _stack(rows, tg, ["path"] * len(rows), self.vocab["[PAD]"])

    def split_indices(self, split: str) -> np.ndarray:
        check_choice("split", split, ("train", "test"))
        return self.train_paths if split == "train" else self.test_paths

    def training_set(self) -> Examples:
        """Edge examples and training-leaf path examples, mixed in one padded set (the paper's recipe)."""
        return concat(self.edge_examples(), self.path_examples("train"), pad=self.vocab["[PAD]"])

    def eval_prompts(self, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
        """(prompts, answers) for greedy decoding: prompts (P, k+2), answers (P, #targets)."""
        return self.prompts_of(self.split_indices(split))

    def prompts_of(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """``eval_prompts`` for any set of path indices (e.g. a validation split carved out of ``train``)."""
        if self.path_mode == "none":
            raise ValueError("path_mode='none' has no path answers to evaluate")
        paths = self.graph.paths[np.asarray(indices, dtype=np.int64)]
        prompts = np.asarray([self.prompt_of(p) for p in paths], dtype=np.int64).reshape(len(paths), -1)
        answers = np.asarray([self.targets_of(p) for p in paths], dtype=np.int64).reshape(len(paths), -1)
        return prompts, answers

    def __repr__(self) -> str:
        return (f"PathStarTask({self.graph.name}, edges={self.edge_direction}, paths={self.path_mode}, "
                f"pauses={self.n_pause}, train leaves={len(self.train_paths)}, held-out={len(self.test_paths)})")


class EdgeTask:
    """Edge memorization on *any* graph (paper §3, tiny graphs; claims C7, C8): ``[EDGE] u`` -> ``v``
    for every edge in both directions, optionally with self-edges ``(u, u)`` (claim C17).

    Works for the tiny graphs, networkx graphs (``from_networkx``) and stars alike; no paths, no split.
    """

    def __init__(self, graph: Graph, self_edges: bool = False):
        if not isinstance(graph, Graph):
            raise ValueError(f"graph must be a geomem Graph (use from_networkx for a networkx graph), got {type(graph).__name__}")
        if graph.n == 0 or graph.num_edges == 0:
            raise ValueError(f"graph {graph.name!r} has no edges: there is nothing to memorize")
        if not isinstance(self_edges, (bool, np.bool_)):
            raise ValueError(f"self_edges must be True or False, got {self_edges!r}")
        self.graph, self.self_edges = graph, bool(self_edges)
        self.vocab = Vocab(graph.n)

    def config(self) -> dict:
        return dict(graph=self.graph.params, self_edges=self.self_edges)

    def edge_examples(self) -> Examples:
        """``[EDGE] u v`` for every directed edge (both directions), plus ``[EDGE] u u`` with self-edges."""
        E = self.graph.directed_edges("both")
        return _edge_examples(E, self.graph.n, self.self_edges, self.vocab)

    def __repr__(self) -> str:
        return f"EdgeTask({self.graph.name}, {self.graph.n} nodes, {self.graph.num_edges} edges, self_edges={self.self_edges})"


class InContextTask:
    """The predecessor's in-context path-star task (Bachmann & Nagarajan 2024; claim C1).

    Each example draws a fresh G_{d,l} with random labels from ``n_labels`` tokens; the prompt is the
    shuffled forward edge list, then ``/ start , goal =``; the target is the path ``start .. goal``
    (or ``goal .. start`` with ``reverse=True``).
    """

    SPECIALS = ("[PAD]", ",", "|", "/", "=")

    def __init__(self, d: int = 2, l: int = 5, n_labels: int = 50, reverse: bool = False):
        self.d = check_int("d (number of arms)", d, minimum=2)
        self.l = check_int("l (nodes per arm, root included)", l, minimum=2)
        n_nodes = self.d * (self.l - 1) + 1
        self.n_labels = check_int("n_labels", n_labels, minimum=1)
        if self.n_labels < n_nodes:
            raise ValueError(f"n_labels must be >= the {n_nodes} nodes of G_(d={self.d}, l={self.l}), got "
                             f"{self.n_labels}: raise n_labels or lower d or l")
        self.reverse = bool(reverse)
        self.vocab = Vocab(self.n_labels, self.SPECIALS)
        self.n_edges = n_nodes - 1
        self._graph = path_star(self.d, self.l, seed=None)  # canonical ids; relabelled per example
        self.prompt_len = 4 * self.n_edges + 5

    @property
    def chance(self) -> float:
        """Chance of the first hop v1, the one real decision of a forward path: 1/d."""
        return 1.0 / self.d

    @property
    def n_nodes(self) -> int:
        """Nodes of G_{d,l} in each prompt: d(l-1)+1."""
        return self.n_edges + 1

    @property
    def node_guess(self) -> float:
        """1 / the prompt's node count: a uniform guess among the graph's node labels. The reference for a
        target that is one edge-list lookup under teacher forcing (every reverse target — the parent of
        the previous one — and every forward target after v1) when the lookup is *not* learned; a learned
        lookup gets 1. The 1/d of ``chance`` is the reference for v1 only (a choice among d children)."""
        return 1.0 / self.n_nodes

    def sample(self, n: int, rng: np.random.Generator) -> Examples:
        """``n`` fresh examples (each with its own random graph labelling, edge order and goal arm)."""
        n = check_int("n", n, minimum=1)
        # one random key per label and example, then their argsort: 16 bytes per (example, label)
        check_size(f"sampling {n} in-context examples over {self.n_labels} labels", "n_labels (or n)",
                   16 * n * self.n_labels)
        v, g = self.vocab, self._graph
        labels = np.argsort(rng.random((n, self.n_labels)), axis=1)[:, :g.n]     # distinct labels per example
        order = np.argsort(rng.random((n, g.num_edges)), axis=1)                 # shuffled edge list
        E = labels[np.arange(n)[:, None, None], g.edges[order]]                   # (n, edges, 2) labelled
        sep = np.broadcast_to
        edge_part = np.stack([E[..., 0], sep(v[","], E[..., 0].shape), E[..., 1], sep(v["|"], E[..., 0].shape)], -1)
        path = labels[np.arange(n)[:, None], g.paths[rng.integers(self.d, size=n)]]
        target = path[:, ::-1] if self.reverse else path
        col = lambda t: np.full((n, 1), t)  # noqa: E731
        rows = np.concatenate([edge_part.reshape(n, -1), col(v["/"]), path[:, :1], col(v[","]), path[:, -1:],
                               col(v["="]), target], 1).astype(np.int64)
        tgt = np.zeros_like(rows, dtype=bool)
        tgt[:, self.prompt_len:] = True
        return Examples(rows, tgt, np.full(n, "path"))
