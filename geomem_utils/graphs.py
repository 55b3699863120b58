"""Graph families of the paper (spec §2 "Graphs").

A :class:`Graph` is a plain record: ``n`` nodes with integer ids ``0..n-1`` and an ``(E, 2)`` array of
undirected edges, each stored once. Star graphs (path-star, tree-star) also carry a ``root`` and the
``paths`` from the root to every leaf, with edges oriented *forward* (away from the root), which the
task builders need for the forward/backward edge variants (claim C12).

Node ids of the stars are a seeded random permutation, so ids carry no structure (paper §2).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .config import check_choice, check_float, check_int, check_size

# The paper's fixed 16-node irregular graph (spec §2, tiny graphs): a 12-ring with chords 1-3 and 5-8,
# plus a separate 4-clique {12, 13, 14, 15}.
IRREGULAR_EDGES = [(12, 15), (5, 8), (5, 6), (8, 9), (7, 8), (1, 3), (13, 14), (13, 15), (12, 14),
                   (12, 13), (1, 2), (4, 5), (3, 4), (10, 11), (0, 1), (2, 3), (6, 7), (11, 0),
                   (9, 10), (14, 15)]

# Largest star the builders accept (the paper's biggest graph has 90,001 nodes); larger requests would
# exhaust memory before failing, so they are refused up front with a ValueError naming d and l.
MAX_NODES = 2_000_000


# Building a graph holds its edges as Python tuples before they become one int64 array.
BYTES_PER_EDGE = 200


def _check_size(family: str, d: int, l: int, n: int) -> None:
    if n > MAX_NODES:
        raise ValueError(f"{family}(d={d}, l={l}) would have {n} nodes, more than the limit {MAX_NODES}; "
                         f"lower d (number of arms) or l")


@dataclass(frozen=True)
class Graph:
    """An undirected graph with ids ``0..n-1``; stars also know their root and root-to-leaf paths."""

    name: str
    n: int
    edges: np.ndarray                      # (E, 2) int64, each undirected edge once
    root: int | None = None                # stars only
    paths: np.ndarray | None = None        # (leaves, l) root -> leaf, stars only
    params: dict = field(default_factory=dict)
    split: tuple | None = None             # (train, held-out) path indices given with the graph (authors' files)

    # -- basic structure -------------------------------------------------------------------
    @property
    def num_edges(self) -> int:
        return len(self.edges)

    def adjacency(self) -> np.ndarray:
        """Dense symmetric 0/1 adjacency matrix (float64)."""
        A = np.zeros((self.n, self.n))
        A[self.edges[:, 0], self.edges[:, 1]] = 1.0
        A[self.edges[:, 1], self.edges[:, 0]] = 1.0
        return A

    def degrees(self) -> np.ndarray:
        return np.bincount(self.edges.ravel(), minlength=self.n)

    def directed_edges(self, direction: str = "both") -> np.ndarray:
        """Edges as (u, v) rows: ``forward`` (as stored; away from the root for stars),
        ``backward`` (reversed) or ``both``."""
        if direction == "forward":
            return self.edges.copy()
        if direction == "backward":
            return self.edges[:, ::-1].copy()
        if direction == "both":
            return np.concatenate([self.edges, self.edges[:, ::-1]])
        raise ValueError(f"direction must be one of ['backward', 'both', 'forward'], got {direction!r}")

    def neighbours(self, direction: str = "both") -> list[np.ndarray]:
        """Per node, the sorted array of nodes it points to under ``direction``."""
        out: list[list[int]] = [[] for _ in range(self.n)]
        for u, v in self.directed_edges(direction):
            out[u].append(v)
        return [np.array(sorted(x), dtype=np.int64) for x in out]

    def to_networkx(self) -> nx.Graph:
        G = nx.Graph()
        G.add_nodes_from(range(self.n))
        G.add_edges_from(map(tuple, self.edges.tolist()))
        return G

    # -- star structure ----------------------------------------------------------------------
    def _need_star(self):
        if self.paths is None:
            raise ValueError(f"graph {self.name!r} is not a star graph (it has no root/paths)")

    @property
    def leaves(self) -> np.ndarray:
        self._need_star()
        return self.paths[:, -1].copy()

    @property
    def first_hops(self) -> np.ndarray:
        """``v1`` for every root-to-leaf path: the root's neighbour on the leaf's arm (the hardest token)."""
        self._need_star()
        return self.paths[:, 1].copy()

    def arm_of(self) -> np.ndarray:
        """Per node, the index of the root's child whose subtree holds it (-1 for the root)."""
        self._need_star()
        arm = -np.ones(self.n, dtype=np.int64)
        children = np.unique(self.paths[:, 1])
        index = {int(c): i for i, c in enumerate(children)}
        for p in self.paths:
            arm[p[1:]] = index[int(p[1])]
        return arm

    def __repr__(self) -> str:
        return f"Graph({self.name}, n={self.n}, edges={self.num_edges})"


# ---------------------------------------------------------------- builders
def _relabel(n: int, edges: list[tuple[int, int]], seed: int | None):
    """Apply a seeded random permutation of ids (identity when seed is None)."""
    perm = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    return perm, np.asarray([(perm[u], perm[v]) for u, v in edges], dtype=np.int64).reshape(-1, 2)


def path_star(d: int, l: int, seed: int | None = 0) -> Graph:
    """Path-star G_{d,l}: a root with ``d`` disjoint arms of ``l`` nodes counting the root (paper §2).

    Nodes: d(l-1)+1. Ids are a random permutation drawn from ``seed`` (``seed=None`` keeps the
    canonical order: root 0, then arm by arm).
    """
    d = check_int("d (number of arms)", d, minimum=1)
    l = check_int("l (nodes per arm, root included)", l, minimum=2)
    n = d * (l - 1) + 1
    _check_size("path_star", d, l, n)
    canon = np.zeros((d, l), dtype=np.int64)
    canon[:, 1:] = 1 + np.arange(d * (l - 1)).reshape(d, l - 1)
    edges = [(int(p[j]), int(p[j + 1])) for p in canon for j in range(l - 1)]
    perm, E = _relabel(n, edges, seed)
    return Graph(f"path_star(d={d}, l={l})", n, E, root=int(perm[0]), paths=perm[canon],
                 params=dict(family="path_star", d=d, l=l, seed=seed))


def tree_star(d: int, l: int, seed: int | None = 0) -> Graph:
    """Tree-star T_{d,l}: like the path-star, but every non-leaf child of the root splits in two.

    Each of the ``d`` arms is a binary tree of depth l-2 hanging from the root, so the graph has
    1 + d(2^{l-1} - 1) nodes and d * 2^{l-2} root-to-leaf paths of l nodes (paper App. on tree-stars, C15).
    """
    d = check_int("d (number of arms)", d, minimum=1)
    l = check_int("l (nodes per path, root included)", l, minimum=2, maximum=16)
    n = 1 + d * (2 ** (l - 1) - 1)
    _check_size("tree_star", d, l, n)
    edges, paths, nxt = [], [], 1
    for _ in range(d):
        frontier = [[0, nxt]]
        edges.append((0, nxt))
        nxt += 1
        for _ in range(l - 2):
            new = []
            for p in frontier:
                for _ in range(2):
                    edges.append((p[-1], nxt))
                    new.append(p + [nxt])
                    nxt += 1
            frontier = new
        paths.extend(frontier)
    assert nxt == n
    perm, E = _relabel(n, edges, seed)
    return Graph(f"tree_star(d={d}, l={l})", n, E, root=int(perm[0]),
                 paths=perm[np.asarray(paths, dtype=np.int64)],
                 params=dict(family="tree_star", d=d, l=l, seed=seed))


def cycle(n: int = 15) -> Graph:
    """The n-cycle (the paper's tiny cycle has 15 nodes)."""
    n = check_int("n (number of nodes)", n, minimum=3)
    check_size(f"cycle(n={n})", "n (number of nodes)", BYTES_PER_EDGE * n)
    return Graph(f"cycle({n})", n, np.asarray([(i, (i + 1) % n) for i in range(n)], dtype=np.int64),
                 params=dict(family="cycle", n=n))


def grid(rows: int = 4, cols: int = 4) -> Graph:
    """The rows x cols grid graph; node id = r * cols + c (the paper's tiny grid is 4 x 4: 16 nodes, 24 edges)."""
    rows = check_int("rows", rows, minimum=1)
    cols = check_int("cols", cols, minimum=1)
    if rows * cols < 2:
        raise ValueError(f"grid needs at least 2 nodes, got rows={rows}, cols={cols}")
    check_size(f"grid(rows={rows}, cols={cols})", "rows or cols", BYTES_PER_EDGE * 2 * rows * cols)
    edges = [(r * cols + c, r * cols + c + 1) for r in range(rows) for c in range(cols - 1)]
    edges += [(r * cols + c, (r + 1) * cols + c) for r in range(rows - 1) for c in range(cols)]
    return Graph(f"grid({rows}x{cols})", rows * cols, np.asarray(edges, dtype=np.int64),
                 params=dict(family="grid", rows=rows, cols=cols))


def irregular() -> Graph:
    """The paper's 16-node, 20-edge irregular graph (two components)."""
    return Graph("irregular(16)", 16, np.asarray(IRREGULAR_EDGES, dtype=np.int64),
                 params=dict(family="irregular"))


def tiny_star() -> Graph:
    """The paper's tiny path-star: 4 arms of 4 non-root nodes (17 nodes), canonical ids."""
    g = path_star(4, 5, seed=None)
    return Graph("tiny_star(17)", g.n, g.edges, g.root, g.paths, dict(g.params, family="tiny_star"))


def from_networkx(G: nx.Graph, name: str | None = None) -> Graph:
    """Wrap an undirected networkx graph (e.g. ``nx.karate_club_graph()``); nodes are relabelled 0..n-1 in
    order, self-loops dropped. A directed graph is refused (with the one call that converts it)."""
    if not isinstance(G, nx.Graph):
        raise TypeError(f"G must be a networkx graph (e.g. nx.karate_club_graph()), got {type(G).__name__}")
    if G.number_of_nodes() == 0:
        raise ValueError("graph G is empty: it needs at least one node")
    if G.is_directed():
        raise ValueError("G is directed (a networkx DiGraph): geomem's graphs are undirected, as the "
                         "paper's are; pass G.to_undirected() to keep each edge once, without direction")
    index = {v: i for i, v in enumerate(G.nodes())}
    edges = sorted({tuple(sorted((index[u], index[v]))) for u, v in G.edges() if u != v})
    return Graph(name or f"networkx({G.number_of_nodes()})", G.number_of_nodes(),
                 np.asarray(edges, dtype=np.int64).reshape(-1, 2), params=dict(family="networkx"))


def tiny_graphs() -> dict[str, Graph]:
    """The four tiny graphs of the associative-vs-geometric study (paper Fig. 1, spec §2)."""
    return {"star": tiny_star(), "grid": grid(4, 4), "cycle": cycle(15), "irregular": irregular()}


def given_split(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """The (train, held-out) path indices that came with the graph (``authors_data.from_authors_files``)."""
    graph._need_star()
    if graph.split is None:
        raise ValueError(f"split_by='given' needs a graph that comes with its split (authors_data."
                         f"from_authors_files); graph {graph.name} has none: split by 'leaf' or 'first_hop'")
    return tuple(np.asarray(s, dtype=np.int64).copy() for s in graph.split)


def leaf_split(graph: Graph, train_fraction: float = 0.75, seed: int = 0,
               by: str = "leaf") -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of the root-to-leaf path indices into (train, held-out); paper: 75% / 25%.

    ``by="leaf"`` splits leaves independently. ``by="first_hop"`` (tree-stars, claim C15) keeps all
    leaves below one first hop v1 on the same side, so a held-out leaf's v1 never starts a training path.
    Both parts are non-empty whenever that is possible (at least two leaves, or two first hops).
    """
    graph._need_star()
    train_fraction = check_float("train_fraction", train_fraction)
    seed = check_int("seed", seed, minimum=0)
    by = check_choice("by (split unit)", by, ("leaf", "first_hop"))
    if not (0.0 < train_fraction < 1.0):
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction!r}")
    L = len(graph.paths)
    if L < 2:
        raise ValueError(f"leaf split needs at least 2 leaves, graph {graph.name} has {L}")
    if by == "first_hop":
        hops, group = np.unique(graph.paths[:, 1], return_inverse=True)
        if len(hops) < 2:
            raise ValueError(f"a split by first token needs at least 2 first hops, graph {graph.name} has {len(hops)}")
        order = np.random.default_rng(seed).permutation(len(hops))
        k = min(max(int(round(train_fraction * len(hops))), 1), len(hops) - 1)
        train = np.isin(group, order[:k])
        return np.flatnonzero(train), np.flatnonzero(~train)
    order = np.random.default_rng(seed).permutation(L)
    k = min(max(int(round(train_fraction * L)), 1), L - 1)
    return np.sort(order[:k]), np.sort(order[k:])
