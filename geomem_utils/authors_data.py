"""The authors' own dataset files, in and out (paper §2's graphs exactly as the paper trained on them).

The authors' repository (github.com/Shahriarnz14/Geometric_Memory, ``data/datasets/in_weights_graphs/``)
stores a graph and its leaf split as three plain-text files that share one name stem, in a folder per
family (``star_graphs_randomized``, ``cycle_graphs_randomized``, ...). For G_(5000,5)::

    star_deg_5000_deg_tree_1_path_5_nodes_20001_sd_00_fb_11_pretrain.txt    edge examples: one ``u=v`` a line
    star_deg_5000_deg_tree_1_path_5_nodes_20001_sd_00_fb_11_train_3750.txt  training paths: ``leaf=root,v1,..,leaf``
    star_deg_5000_deg_tree_1_path_5_nodes_20001_sd_00_fb_11_test_1250.txt   held-out paths, the same format

The stem says what the files hold: ``star_deg_{d}_deg_tree_{b}_path_{l}_nodes_{n}`` (b = 1 a path-star,
b = 2 a tree-star), ``sd_{s}0`` (s = 1: the prompt is ``root,leaf`` instead of ``leaf``), ``fb_{f}{b}``
(forward and/or backward edges in the edge file: edges are sorted forward ones, then the same reversed),
``_selfedge_1`` (tiny graphs only: ``u=u`` for every node), and the line counts of the two path files.
The tiny graphs are ``cycle_N_{n}``, ``grid_rows_{r}_cols_{c}_nodes_{n}``, ``irregular_graph_nodes_{n}_edges_{e}``;
their "paths" are walks whose prompt is the walk's last node.

``from_authors_files`` reads the three files, checks every claim they make and returns our ``Graph`` with
the split they give (``PathStarTask(..., split_by="given")``); ``export_authors_files`` writes a task in
the same format and naming, with the arguments under which the authors' ``train_in_weights.py`` finds it.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .graphs import Graph
from .tasks import PathStarTask

ROLES = ("pretrain", "train", "test")
FOLDERS = {"star": "star_graphs_randomized", "cycle": "cycle_graphs_randomized",
           "grid": "grid_graphs_randomized", "irregular": "irregular_graphs_randomized"}
DIRECTIONS = {"11": "both", "10": "forward", "01": "backward"}
STEM = re.compile(r"^(?:star_deg_(?P<d>\d+)_deg_tree_(?P<b>\d+)_path_(?P<l>\d+)_nodes_(?P<n>\d+)"
                  r"|cycle_N_(?P<cn>\d+)|grid_rows_\d+_cols_\d+_nodes_(?P<gn>\d+)"
                  r"|irregular_graph_nodes_(?P<in>\d+)_edges_\d+)"
                  r"(?:_sd_(?P<sd>\d)\d)?(?:_fb_(?P<fb>\d\d))?(?:_selfedge_(?P<self>[01]))?$")
EDGE_LINE = re.compile(r"^(\d+)=(\d+)$")
PATH_LINE = re.compile(r"^(\d+)(?:,(\d+))?=(\d+(?:,\d+)+)$")
# Where ``locate`` looks for files that were not read in this process: directories, os.pathsep-separated.
ENV_DIRS = "GEOMEM_AUTHORS_DATA"
# Files read in this process, by hash: an experiment config names files by stem and hash only, and finds
# them here (or under $GEOMEM_AUTHORS_DATA) when it builds its graph.
# The stems of the paper's three path-stars in the authors' repository (paper Table 1).
PAPER_STEMS = {"G_(5000,5)": "star_deg_5000_deg_tree_1_path_5_nodes_20001_sd_00_fb_11",
               "G_(10^4,6)": "star_deg_10000_deg_tree_1_path_6_nodes_50001_sd_00_fb_11",
               "G_(10^4,10)": "star_deg_10000_deg_tree_1_path_10_nodes_90001_sd_00_fb_11"}
_READ: dict[str, Path] = {}   # sha256 -> the files' common prefix


@dataclass(frozen=True)
class AuthorsData:
    """What three files hold: the graph, the paths in file order (training lines, then held-out lines) and
    the split as indices into them; for stars ``graph.paths`` is ``paths`` and ``graph.split`` the split."""

    graph: Graph
    paths: np.ndarray              # (P, l) node ids, training lines first
    train: np.ndarray              # indices of the training lines
    test: np.ndarray               # indices of the held-out lines
    edge_direction: str            # what the edge file holds: forward / backward / both (stars: away from the root)
    self_edges: bool
    name: str                      # the files' common stem
    sha256: str                    # of the three files' bytes (``files_hash``)
    files: dict = field(default_factory=dict)   # role -> Path
    notes: tuple = ()              # harmless oddities (duplicated edge lines)

    @property
    def is_star(self) -> bool:
        return self.graph.root is not None

    def task(self, **settings) -> PathStarTask:
        """The in-weights path-star task on these files: their graph, their split, their edge examples
        (``settings``: ``path_mode``, ``n_pause`` ...)."""
        if not self.is_star:
            raise ValueError(f"{self.name} is not a star graph: use tasks.EdgeTask(data.graph) for its edges")
        return PathStarTask(self.graph, **dict(dict(edge_direction=self.edge_direction,
                                                    self_edges=self.self_edges, split_by="given"), **settings))

    def __repr__(self) -> str:
        return (f"AuthorsData({self.name}: {self.graph.n} nodes, {len(self.train)} training and "
                f"{len(self.test)} held-out paths, sha256 {self.sha256[:12]})")


# ---------------------------------------------------------------- finding the three files
def authors_files(prefix_or_dir, stem: str | None = None) -> dict[str, Path]:
    """``{role: Path}`` of the three files named by ``prefix_or_dir``: their common prefix
    (``.../star_deg_5000_..._fb_11``), any one of them, or a folder holding exactly one set — or, with
    ``stem`` (e.g. ``PAPER_STEMS["G_(5000,5)"]``), the set of that stem anywhere below the folder (a clone
    of the authors' repository will do)."""
    if not isinstance(prefix_or_dir, (str, os.PathLike)) or not str(prefix_or_dir):
        raise ValueError(f"prefix_or_dir must be a path (a folder, one of the three files or their common "
                         f"prefix), got {prefix_or_dir!r}")
    if stem is not None and (not isinstance(stem, str) or not re.fullmatch(r"[\w.-]+", stem)):
        raise ValueError(f"stem must be a file-name stem such as {PAPER_STEMS['G_(5000,5)']!r}, got {stem!r}")
    p = Path(prefix_or_dir).expanduser()
    if p.is_dir():
        found = (sorted(p.rglob(f"{glob_escape(stem)}_pretrain.txt")) if stem else
                 sorted(p.glob("*_pretrain.txt")) or sorted(p.glob("*/*_pretrain.txt")))
        if len(found) != 1:
            stems = [f.name[:-len("_pretrain.txt")] for f in found[:5]]
            hint = f", e.g. {stems}: pass one as a prefix (or stem=...)" if found else ""
            raise ValueError(f"prefix_or_dir: folder {p} holds {len(found)} sets of files "
                             f"({stem or '*'}_pretrain.txt){hint}")
        p = found[0].with_name(found[0].name[:-len("_pretrain.txt")])
    else:
        p = p.with_name(re.sub(r"_(pretrain|train_\d+|test_\d+)\.txt$", "", p.name))
    out = {"pretrain": p.with_name(p.name + "_pretrain.txt")}
    for role in ("train", "test"):
        near = p.parent.glob(f"{glob_escape(p.name)}_{role}_*.txt") if p.parent.is_dir() else []
        hits = sorted(f for f in near if re.fullmatch(re.escape(p.name) + rf"_{role}_\d+\.txt", f.name))
        if len(hits) != 1:
            raise ValueError(f"prefix_or_dir: expected one file {p.name}_{role}_<count>.txt in {p.parent}, "
                             f"found {len(hits)}")
        out[role] = hits[0]
    if not out["pretrain"].is_file():
        raise ValueError(f"prefix_or_dir: no edge file {out['pretrain'].name} in {p.parent}")
    return out


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def files_hash(files: dict) -> str:
    """sha256 of the three files' bytes, each tagged with its role (the provenance of a result)."""
    h = hashlib.sha256()
    for role in ROLES:
        h.update(role.encode() + b"\0" + Path(files[role]).read_bytes() + b"\0")
    return h.hexdigest()


def locate(name: str, sha256: str) -> Path:
    """The prefix of the files with stem ``name`` and hash ``sha256``: one read in this process, or found
    under the folders in ``$GEOMEM_AUTHORS_DATA``."""
    if sha256 in _READ:
        return _READ[sha256]
    for folder in filter(None, os.environ.get(ENV_DIRS, "").split(os.pathsep)):
        for f in Path(folder).expanduser().rglob(f"{glob_escape(name)}_pretrain.txt"):
            prefix = f.with_name(name)
            if files_hash(authors_files(prefix)) == sha256:
                return prefix
    raise ValueError(f"the files {name} with sha256 {sha256[:12]}… are not at hand: read them first with "
                     f"from_authors_files(PATH), or set {ENV_DIRS} to the folder that holds them")


# ---------------------------------------------------------------- reading and checking
def _lines(path: Path, pattern: re.Pattern, what: str):
    """(line number, match) for every non-blank line; one ValueError naming file and line otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{path.name}: cannot be read as text ({type(err).__name__}: {err})") from None
    out = []
    for k, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        m = pattern.match(line)
        if m is None:
            raise ValueError(f"{path.name} line {k}: unreadable line {line[:60]!r}, expected {what}")
        out.append((k, m))
    return out


def _fail(path: Path, line: int | None, message: str):
    raise ValueError(f"{path.name}" + (f" line {line}" if line else "") + f": {message}")


def from_authors_files(prefix_or_dir, stem: str | None = None) -> AuthorsData:
    """Read and check the authors' three files (see the module docstring): node ids are ``0..n-1``; every
    path is ``leaf=path`` with the prompt its last node and walks edges of the edge file; for stars every
    path starts at one root, the paths form a tree, the edge file is exactly the paths' edges in the
    directions its name says, and no leaf ends two paths (so none is in both splits). A file that breaks
    one gets one ValueError naming the file, the line and what is wrong. ``stem``: see ``authors_files``."""
    files = authors_files(prefix_or_dir, stem)
    stem = files["pretrain"].name[:-len("_pretrain.txt")]
    claims = STEM.match(stem)
    claims = claims.groupdict() if claims else {}
    edge_lines = _lines(files["pretrain"], EDGE_LINE, "'u=v' (two node ids)")
    path_lines = {role: _lines(files[role], PATH_LINE, "'leaf=root,v1,...,leaf' (node ids)")
                  for role in ("train", "test")}
    if not edge_lines:
        _fail(files["pretrain"], None, "no edges: the file holds no u=v line")
    for role in ("train", "test"):
        said = int(re.search(r"_(\d+)\.txt$", files[role].name).group(1))
        if said != len(path_lines[role]):
            _fail(files[role], None, f"the name says {said} paths, the file holds {len(path_lines[role])}")
    if not path_lines["train"] and not path_lines["test"]:
        _fail(files["train"], None, "no paths in either path file")
    named_n = next((int(claims[k]) for k in ("n", "cn", "gn", "in") if claims.get(k)), None)
    starts = Counter(m.group(3).split(",")[0] for r in path_lines.values() for _, m in r)
    root, at_root = starts.most_common(1)[0]
    root = int(root)
    # a star by its name, or (files renamed) by most paths starting at one node
    star = stem.startswith("star_") if claims else at_root > sum(starts.values()) / 2

    # edges: self-edges apart, and every id inside 0..n-1
    E, loops, seen_edge, notes = [], set(), {}, []
    n = named_n if named_n is not None else 1 + max(max(int(m.group(1)), int(m.group(2))) for _, m in edge_lines)
    for k, m in edge_lines:
        u, v = int(m.group(1)), int(m.group(2))
        for x in (u, v):
            if x >= n:
                _fail(files["pretrain"], k, f"node {x} is outside 0..{n - 1}" + (
                    f" (the name says nodes_{named_n})" if named_n is not None else ""))
        if (u, v) in seen_edge:
            notes.append(f"{files['pretrain'].name} line {k} repeats line {seen_edge[(u, v)]} ({u}={v})")
            continue
        seen_edge[(u, v)] = k
        (loops.add(u) if u == v else E.append((u, v)))
    edge_set = set(E)
    self_edges = bool(loops)
    if self_edges and len(loops) != n:
        _fail(files["pretrain"], None, f"self-edges u=u for {len(loops)} of the {n} nodes (all or none)")
    if claims.get("self") is not None and self_edges != (claims["self"] == "1"):
        _fail(files["pretrain"], None, f"the name says selfedge_{claims['self']}, the file "
                                       f"{'has' if self_edges else 'has no'} u=u lines")

    # paths: readable, one length, prompt = last node (or root,last), inside 0..n-1, walking edges
    rows, where = [], []
    l = len(next(iter(path_lines["train"] or path_lines["test"]))[1].group(3).split(","))
    for role in ("train", "test"):
        for k, m in path_lines[role]:
            path = [int(x) for x in m.group(3).split(",")]
            f = files[role]
            if star and path[0] != root:
                _fail(f, k, f"the path starts at {path[0]}, not at the root {root} where the other "
                            f"{at_root} paths start (a missing root?)")
            for x in path:
                if x >= n:
                    _fail(f, k, f"node {x} is outside 0..{n - 1}")
            for a, b in zip(path, path[1:]):
                if (a, b) not in edge_set and (b, a) not in edge_set:
                    _fail(f, k, f"the step {a} -> {b} is not an edge of {files['pretrain'].name} "
                                f"(a path that skips an edge)")
            if len(path) != l:
                _fail(f, k, f"the path has {len(path)} nodes, the first path has {l}")
            if claims.get("l") and l != int(claims["l"]):
                _fail(f, k, f"the path has {l} nodes, the name says path_{claims['l']}")
            prompt = [int(m.group(1))] + ([int(m.group(2))] if m.group(2) else [])
            if claims.get("sd") and (claims["sd"] == "1") != (len(prompt) == 2):
                _fail(f, k, f"the name says sd_{claims['sd']}x: every prompt is "
                            f"{'start,last' if claims['sd'] == '1' else 'the last node alone'}")
            want = [path[0], path[-1]] if len(prompt) == 2 else [path[-1]]
            if prompt != want:
                _fail(f, k, f"the prompt {m.group(0).split('=')[0]} is not the path's "
                            f"{'first and last' if len(prompt) == 2 else 'last'} node")
            rows.append(path)
            where.append((f, k))
    paths = np.asarray(rows, dtype=np.int64).reshape(len(rows), l)
    n_train = len(path_lines["train"])
    train, test = np.arange(n_train), np.arange(n_train, len(rows))
    missing = sorted(set(range(n)) - {x for e in edge_set for x in e} - loops)
    if missing:
        _fail(files["pretrain"], None, f"{len(missing)} of the node ids 0..{n - 1} never appear "
                                       f"(e.g. {missing[:5]}): ids must be 0..n-1")
    fb = claims.get("fb")
    if star:
        graph, direction = _star(stem, n, paths, where, edge_set, files, claims)
    else:
        graph, direction, walk_notes = _walks(stem, n, paths, where, edge_set, files, fb)
        notes += walk_notes
    if fb is not None and fb in DIRECTIONS and DIRECTIONS[fb] != direction:
        _fail(files["pretrain"], None, f"the name says fb_{fb} ({DIRECTIONS[fb]} edges), the file holds "
                                       f"{direction} edges")
    sha = files_hash(files)
    graph = Graph(graph.name, graph.n, graph.edges, graph.root, graph.paths,
                  dict(family="authors", files=stem, sha256=sha), split=(train, test) if star else None)
    _READ[sha] = files["pretrain"].with_name(stem)
    return AuthorsData(graph, paths, train, test, direction, self_edges, stem, sha, files, tuple(notes))


def _star(stem, n, paths, where, edge_set, files, claims):
    """Checks of a star's files: one root, a tree, no leaf twice, the edge file = the tree's edges."""
    root = int(paths[0, 0])   # every path starts there (checked while reading)
    parent, parent_at, ends = {}, {}, {}
    for path, (f, k) in zip(paths.tolist(), where):
        for a, b in zip(path, path[1:]):
            if b == root:
                _fail(f, k, f"the path returns to the root {root}")
            if b in parent and parent[b] != a:
                g, j = parent_at[b]
                _fail(f, k, f"node {b} follows {a} here but {parent[b]} on {g.name} line {j}: the paths "
                            f"do not form a tree")
            parent[b] = a
            parent_at.setdefault(b, (f, k))
        if path[-1] in ends:
            g, j = ends[path[-1]]
            both = " (a leaf in both splits)" if g != f else ""
            _fail(f, k, f"leaf {path[-1]} also ends the path of {g.name} line {j}{both}")
        ends[path[-1]] = (f, k)
    inner = set(parent.values())
    for leaf, (f, k) in ends.items():
        if leaf in inner:
            _fail(f, k, f"leaf {leaf} is an inner node of another path")
    tree = {(a, b) for b, a in parent.items()}
    back = {(b, a) for a, b in tree}
    direction = ("both" if edge_set == tree | back else "forward" if edge_set == tree else
                 "backward" if edge_set == back else None)
    if direction is None:
        lines = _edge_line_numbers(files)
        k = next((k for (u, v), k in lines.items() if (u, v) not in tree | back and u != v), None)
        if k:
            _fail(files["pretrain"], k, "this edge lies on no path (a path-star's edges are its paths' edges)")
        u, v = next((v, u) for u, v in sorted(edge_set) if (v, u) not in edge_set)
        _fail(files["pretrain"], None, f"no line {u}={v}, the reverse of line {lines[(v, u)]}, while other "
                                       f"edges come in both directions")
    children = {}
    for b, a in parent.items():
        children.setdefault(a, set()).add(b)
    d = len(children[root])
    if claims.get("d") and int(claims["d"]) != d:
        _fail(files["pretrain"], None, f"the name says deg_{claims['d']} arms, the paths have {d}")
    if len(parent) + 1 != n:
        _fail(files["pretrain"], None, f"the paths hold {len(parent) + 1} nodes, the graph has {n}")
    ways = sorted({len(c) for a, c in children.items() if a != root}) or [1]   # [1]: a path-star
    if claims.get("b") and [int(claims["b"])] != ways:
        _fail(files["pretrain"], None, f"the name says deg_tree_{claims['b']}, the paths branch {ways} ways "
                                       f"below the root's children")
    family = "path_star" if ways == [1] else "tree_star"
    name = f"authors {family}(d={d}, l={paths.shape[1]})"
    edges = np.asarray(sorted(tree), dtype=np.int64).reshape(-1, 2)
    return Graph(name, n, edges, root=root, paths=paths), direction


def _edge_line_numbers(files) -> dict:
    return {(int(m.group(1)), int(m.group(2))): k for k, m in _lines(files["pretrain"], EDGE_LINE, "u=v")}


def _walks(stem, n, paths, where, edge_set, files, fb):
    """Checks of a non-star's files (cycle, grid, irregular). Their walks may share a last node across the
    splits (the authors' random-walk grid and irregular files do): a note, not an error, as no leaf is
    held out there."""
    back = {(b, a) for a, b in edge_set}
    direction = "both" if edge_set == back else {"10": "forward", "01": "backward"}.get(fb, "forward")
    if fb == "11" and direction != "both":
        k = next(k for (u, v), k in _edge_line_numbers(files).items() if (v, u) not in edge_set)
        _fail(files["pretrain"], k, "this edge has no reverse line although the name says fb_11 (both directions)")
    ends, notes = {}, []
    for path, (f, k) in zip(paths.tolist(), where):
        if path[-1] in ends and ends[path[-1]][0] != f:
            g, j = ends[path[-1]]
            notes.append(f"{f.name} line {k}: the walk's last node {path[-1]} also ends {g.name} line {j}")
        ends.setdefault(path[-1], (f, k))
    undirected = sorted({(min(u, v), max(u, v)) for u, v in edge_set})
    edges = np.asarray(undirected, dtype=np.int64).reshape(-1, 2)
    return Graph(f"authors {stem.split('_sd_')[0]}", n, edges), direction, notes


# ---------------------------------------------------------------- writing
def authors_stem(task: PathStarTask) -> str:
    """The authors' name stem for a task's graph and edge examples (``..._sd_00_fb_11``)."""
    g = task.graph
    children = np.bincount(g.edges[:, 0], minlength=g.n)
    fanout = set(children[np.unique(g.paths[:, 1:-1])].tolist()) or {1}
    b = fanout.pop() if len(fanout) == 1 else 0
    if b == 0:
        raise ValueError(f"task: graph {g.name} is neither a path-star nor a tree-star of one branching factor")
    fb = {v: k for k, v in DIRECTIONS.items()}[task.edge_direction]
    return (f"star_deg_{len(np.unique(g.first_hops))}_deg_tree_{b}_path_{g.paths.shape[1]}_nodes_{g.n}"
            f"_sd_00_fb_{fb}" + ("_selfedge_1" if task.self_edges else ""))


def export_authors_files(task: PathStarTask, directory) -> dict:
    """Write ``task``'s graph and split as the authors' three files under
    ``directory/star_graphs_randomized/`` (their dataset root layout). Returns ``files`` ({role: Path}) and
    ``args``: the ``train_in_weights.py`` arguments under which the authors' code finds these files
    (it derives the file names from the graph shape and ``--train_split_ratio``)."""
    if not isinstance(task, PathStarTask):
        raise ValueError(f"task must be a PathStarTask (a star graph with a split), got {type(task).__name__}")
    if not isinstance(directory, (str, os.PathLike)) or not str(directory):
        raise ValueError(f"directory must be a path (the dataset root to write into), got {directory!r}")
    g, stem = task.graph, authors_stem(task)
    folder = Path(directory).expanduser() / FOLDERS["star"]
    folder.mkdir(parents=True, exist_ok=True)
    forward = sorted(map(tuple, g.edges.tolist()))   # stars store edges away from the root
    edges = (forward if task.edge_direction != "backward" else []) + \
            ([(v, u) for u, v in forward] if task.edge_direction != "forward" else [])
    edges += [(u, u) for u in range(g.n)] if task.self_edges else []
    train, test = g.paths[task.train_paths], g.paths[task.test_paths]
    files = {"pretrain": folder / f"{stem}_pretrain.txt", "train": folder / f"{stem}_train_{len(train)}.txt",
             "test": folder / f"{stem}_test_{len(test)}.txt"}
    files["pretrain"].write_text("".join(f"{u}={v}\n" for u, v in edges))
    for role, rows in (("train", train), ("test", test)):
        files[role].write_text("".join(f"{p[-1]}={','.join(map(str, p))}\n" for p in rows.tolist()))
    total, k = len(g.paths), len(train)
    ratio = k / total if int(total * (k / total)) == k else (k + 0.5) / total
    claims = STEM.match(stem).groupdict()
    args = ["--graph_type", "star", "--star_degree", claims["d"], "--star_subtree_degree", claims["b"],
            "--path_length", claims["l"], "--total_nodes", claims["n"], "--train_split_ratio", repr(ratio),
            "--dataset_root", str(Path(directory).expanduser()),
            "--path_prefix_pause_token_count", str(task.n_pause)]
    args += ["--add_forward_edges"] if task.edge_direction != "backward" else []
    args += ["--add_backward_edges"] if task.edge_direction != "forward" else []
    args += ["--reverse_path_targets"] if task.path_mode == "reverse" else []
    args += ["--training_recipe", "mixed_hardest_token"] if task.path_mode == "first_hop" else []
    return dict(files=files, args=args, sha256=files_hash(files))
