"""Node2Vec, 1-layer and 1-hop (paper §4, spec "Models"; claims C10, C11), and its random-walk relatives.

One embedding matrix V ∈ ℝ^{n×m} on both sides, no W, so there is nowhere to keep a lookup: whatever
it memorizes must be geometry. The objective is a cross-entropy between target rows Q and the model's
P = row_softmax(V Vᵀ) over all nodes, self included:

    J(V) = Σ_i Σ_j Q_ij · (−log P_ij)

* ``one_hop_target``: Q = D⁻¹A, i.e. J = Σ_i (1/deg i) Σ_{j∈nbr(i)} −log P_ij — the paper's model;
* ``walk_target``: Q = (1/T) Σ_{r≤T} (D⁻¹A)^r, the expected co-occurrence of a random walk with window T
  (DeepWalk-style, full softmax) — and ``sampled_walk_target``, the same counted on sampled walks.

Its gradient is ∇J = −C V with C = (Q̃ − P) + (Q̃ − P)ᵀ (Q̃ = Q, rows scaled by P's row mass), so plain
gradient descent is V ← V + η C V. At a near-orthogonal init (N(0,1), m = 100) P(0) ≈ I and, for the
1-hop target, C(0) ≈ −L: the Laplacian drives the early dynamics, and the directions that survive are
those that C(t) learns to leave alone (‖C e_i‖ → 0) — the Fiedler-like eigenvectors.

Everything is vectorised: per step one n×n logit matrix (in row blocks of ``row_batch`` rows to bound
memory), the loss gathered over Q's non-zeros, the gradient in closed form (no autograd).

``netmf_matrix`` / ``train_negative_sampling``: the negative-sampling relative, whose optimum is the
NetMF closed form log(vol(G)/(bT) · Σ_{r≤T} (D⁻¹A)^r D⁻¹) (Qiu et al. 2018; spec "Spectral facts").
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from .config import check_float, check_int, check_size
from .graphs import Graph
from .spectral import adjacency_sparse, fiedler_vectors, random_walk_matrix, laplacian, linear_cka, n_components, principal_angles


# ---------------------------------------------------------------- targets Q
def _random_walk_matrix(graph: Graph) -> sp.csr_matrix:
    if not isinstance(graph, Graph):
        raise ValueError(f"graph must be a geomem Graph (use from_networkx for a networkx graph), got {type(graph).__name__}")
    if graph.n == 0 or graph.num_edges == 0:
        raise ValueError(f"graph {graph.name!r} has no edges: Node2Vec needs at least one")
    return random_walk_matrix(graph)


def one_hop_target(graph: Graph) -> sp.csr_matrix:
    """Q = D⁻¹A: row i spreads weight 1/deg(i) over i's neighbours (the paper's 1-hop objective)."""
    return _random_walk_matrix(graph)


def walk_target(graph: Graph, T: int) -> sp.csr_matrix:
    """Q = (1/T) Σ_{r=1..T} (D⁻¹A)^r: where a random walk from i is, on average over its next T steps."""
    T = check_int("T (walk window)", T, minimum=1)
    P = _random_walk_matrix(graph)
    Q, Pr = P.copy(), P.copy()
    for _ in range(T - 1):
        Pr = Pr @ P
        Q = Q + Pr
    return (Q / T).tocsr()


def sampled_walk_target(graph: Graph, T: int, walks_per_node: int = 10, walk_length: int = 40,
                        seed: int = 0) -> sp.csr_matrix:
    """``walk_target`` estimated DeepWalk's way: uniform random walks, every pair (w_s, w_{s+r}) with
    1 ≤ r ≤ T counted, rows normalised. Converges to ``walk_target`` as walks grow (for interior steps)."""
    T = check_int("T (walk window)", T, minimum=1)
    walks_per_node = check_int("walks_per_node", walks_per_node, minimum=1)
    walk_length = check_int("walk_length", walk_length, minimum=T + 1)
    P = _random_walk_matrix(graph)
    rng = np.random.default_rng(seed)
    starts = np.repeat(np.arange(graph.n), walks_per_node)
    starts = starts[np.asarray(P.sum(1)).ravel()[starts] > 0]
    walk = np.empty((len(starts), walk_length), dtype=np.int64)
    walk[:, 0] = starts
    indptr, indices = P.indptr, P.indices
    for s in range(1, walk_length):  # one uniform neighbour per walk, all walks at once
        cur = walk[:, s - 1]
        deg = indptr[cur + 1] - indptr[cur]
        walk[:, s] = indices[indptr[cur] + (rng.random(len(cur)) * deg).astype(np.int64)]
    rows = np.concatenate([walk[:, :-r].ravel() for r in range(1, T + 1)])
    cols = np.concatenate([walk[:, r:].ravel() for r in range(1, T + 1)])
    C = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(graph.n, graph.n)).tocsr()
    mass = np.asarray(C.sum(1)).ravel()
    return (sp.diags(np.divide(1.0, mass, out=np.zeros_like(mass), where=mass > 0)) @ C).tocsr()


# ---------------------------------------------------------------- the vectorised objective
class _Objective:
    """J(V) and the products (M + Mᵀ) X with M = ∂J/∂(V Vᵀ) = q P − Q, in row blocks."""

    DENSE = 4_000_000  # a row block of Q is kept dense up to this many entries (cheaper than a scatter)

    def __init__(self, Q: sp.csr_matrix, row_batch: int, dtype=torch.float32):
        Q = Q.tocsr()
        self.n = Q.shape[0]
        self.mass = torch.tensor(np.asarray(Q.sum(1)).ravel(), dtype=dtype)[:, None]
        self.blocks = []
        for start in range(0, self.n, row_batch):
            B = Q[start:start + row_batch].tocoo()
            dense = torch.tensor(B.toarray(), dtype=dtype) if B.shape[0] * self.n <= self.DENSE else None
            self.blocks.append((start, min(start + row_batch, self.n), dense, torch.tensor(B.row, dtype=torch.long),
                                torch.tensor(B.col, dtype=torch.long), torch.tensor(B.data, dtype=dtype)))

    def apply(self, V: torch.Tensor, X: torch.Tensor, with_loss: bool = True) -> tuple[float, torch.Tensor]:
        """(J(V) or nan, (M + Mᵀ) X). With X = V the second term is ∇J; with X = eigenvectors it is −C X."""
        loss = 0.0 if with_loss else float("nan")
        out = torch.zeros_like(X) if len(self.blocks) > 1 else None
        for a, b, dense, r, c, q in self.blocks:
            S = V[a:b] @ V.T                                     # (rows, n) logits
            if with_loss:
                loss -= float((q * (S[r, c] - torch.logsumexp(S, dim=1)[r])).sum())
            M = torch.softmax(S, dim=1).mul_(self.mass[a:b])     # q_i P_ij ...
            if dense is not None:
                M -= dense                                       # ... − Q_ij
            else:
                M.index_put_((r, c), -q, accumulate=True)
            if out is None:                                      # one block: (M + Mᵀ) X in one product
                return loss, (M + M.T) @ X
            out[a:b] += M @ X
            out += M.T @ X[a:b]
        return loss, out


def c_matrix(V, Q) -> np.ndarray:
    """C = (Q̃ − P) + (Q̃ − P)ᵀ for embeddings V (dense, for small graphs): the operator of ΔV = η C V."""
    V = torch.as_tensor(np.asarray(V), dtype=torch.float64)
    Qd = torch.tensor(sp.csr_matrix(Q).toarray(), dtype=torch.float64)
    M = torch.softmax(V @ V.T, dim=1) * Qd.sum(1, keepdim=True) - Qd
    return (-(M + M.T)).numpy()


def init_c_error(graph: Graph, dim: int = 100, init_std: float = 1.0, seed: int = 0) -> float:
    """‖C(0) + L‖_F / ‖L‖_F at a N(0, init_std²) init of width ``dim`` (C10: C(0) ≈ −L when P(0) ≈ I)."""
    V = np.random.default_rng(seed).standard_normal((graph.n, dim)) * init_std
    L = laplacian(graph)
    return float(np.linalg.norm(c_matrix(V, one_hop_target(graph)) + L) / np.linalg.norm(L))


# ---------------------------------------------------------------- training
@dataclass
class Node2VecRun:
    """A trained Node2Vec: final V, the log (step, loss, ‖Vᵀe_i‖, ‖C e_i‖ for the tracked e_i), settings."""

    V: np.ndarray
    log: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    wall_time: float = 0.0

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one logged quantity; vector quantities come as a (steps, k) array."""
        return np.array([e["step"] for e in self.log]), np.array([e[key] for e in self.log])


def train_node2vec(graph: Graph, dim: int = 100, lr: float = 0.01, steps: int = 10_000, init_std: float = 1.0,
                   seed: int = 0, target=None, track=None, eval_steps=(), row_batch: int = 2048,
                   progress: bool = False, dtype=torch.float32) -> Node2VecRun:
    """Plain full-batch gradient descent on J(V) (spec "Models": m = 100, N(0,1), lr 0.01, 10,000 steps).

    ``target``: a Q matrix (default ``one_hop_target``). ``track``: (n, k) orthonormal columns, e.g. the
    eigenvectors of −L; at step 0 and every step in ``eval_steps`` the run logs the loss, ‖Vᵀe_i‖ and
    ‖C(t) e_i‖ for those columns. ``row_batch`` bounds memory: row_batch × n logits at a time.
    """
    dim = check_int("dim (embedding width)", dim, minimum=1)
    steps = check_int("steps", steps, minimum=0)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    init_std = check_float("init_std", init_std, minimum=0.0, strict_min=True)
    row_batch = check_int("row_batch", row_batch, minimum=1)
    # V in float64 at init, V and its gradient in dtype, and one row_batch × n block of logits
    check_size(f"Node2Vec of dim {dim} on {graph.n} nodes", "dim (embedding width) or row_batch",
               graph.n * dim * 24 + min(row_batch, graph.n) * graph.n * 8)
    Q = one_hop_target(graph) if target is None else sp.csr_matrix(target)
    if Q.shape != (graph.n, graph.n):
        raise ValueError(f"target must be {graph.n}×{graph.n} for graph {graph.name!r}, got {Q.shape}")
    gen = torch.Generator().manual_seed(seed)
    V = (torch.randn(graph.n, dim, generator=gen, dtype=torch.float64) * init_std).to(dtype)
    obj = _Objective(Q, row_batch, dtype)
    E = None
    if track is not None:
        E = torch.as_tensor(np.asarray(track), dtype=dtype)
        if E.ndim != 2 or E.shape[0] != graph.n:
            raise ValueError(f"track must be an (n, k) array with n = {graph.n}, got shape {tuple(E.shape)}")
    log_at, log = set(eval_steps), []

    def record(step):
        loss, out = obj.apply(V, V if E is None else torch.cat([V, E], dim=1))
        entry = dict(step=step, loss=loss, norm2=float((V.double() ** 2).sum()))
        if E is not None:
            entry["proj"] = torch.linalg.norm(V.T @ E, dim=0).double().numpy()     # ‖Vᵀ e_i‖
            entry["c_proj"] = torch.linalg.norm(out[:, dim:], dim=0).double().numpy()  # ‖C e_i‖
        log.append(entry)

    if 0 in log_at or E is not None:
        record(0)
    t0, eval_time = time.perf_counter(), 0.0
    for step in tqdm(range(1, steps + 1), disable=not progress, desc="node2vec", leave=False):
        _, grad = obj.apply(V, V, with_loss=False)
        V -= lr * grad
        if step in log_at:
            t1 = time.perf_counter()
            record(step)
            eval_time += time.perf_counter() - t1
    settings = dict(graph=graph.name, dim=dim, lr=lr, steps=steps, init_std=init_std, seed=seed)
    return Node2VecRun(V.double().numpy(), log, settings, time.perf_counter() - t0 - eval_time)


# ---------------------------------------------------------------- negative sampling and NetMF
def netmf_matrix(graph: Graph, T: int = 1, b: float = 1.0) -> np.ndarray:
    """log(vol(G)/(bT) · Σ_{r≤T} (D⁻¹A)^r D⁻¹) (entries with no co-occurrence are −inf): the PMI matrix
    that negative-sampling skip-gram with window T and b negatives factorises at its optimum."""
    b = check_float("b (negatives per positive)", b, minimum=0.0, strict_min=True)
    A = adjacency_sparse(graph)
    deg = np.asarray(A.sum(1)).ravel()
    S = walk_target(graph, T).toarray() * T
    with np.errstate(divide="ignore"):
        return np.log(deg.sum() / (b * T) * S / np.where(deg > 0, deg, np.inf)[None, :])


def netmf_embedding(graph: Graph, dim: int, T: int = 1, b: float = 1.0) -> np.ndarray:
    """NetMF's embedding (Qiu et al. 2018): truncated log max(M, 1) of the NetMF matrix, factorised by
    its top-``dim`` singular pairs, U_d √S_d."""
    M = np.exp(netmf_matrix(graph, T, b))
    L = np.log(np.maximum(M, 1.0))
    U, S, _ = np.linalg.svd(L)
    return U[:, :dim] * np.sqrt(S[:dim])


def train_negative_sampling(graph: Graph, dim: int = 16, T: int = 1, b: float = 1.0, lr: float = 0.05,
                            steps: int = 2000, init_std: float = 0.1, seed: int = 0, eval_steps=(),
                            reference=None) -> Node2VecRun:
    """Skip-gram with negative sampling in expectation (every pair weighted by its expected count, no
    sampling noise), Adam on V: J = −Σ_ij [w⁺_ij log σ(v_i·v_j) + w⁻_ij log σ(−v_i·v_j)] with
    w⁺ = D Σ_r (D⁻¹A)^r / (vol·T) and w⁻ = b d dᵀ / vol². Its unconstrained optimum v_i·v_j is the NetMF
    matrix. ``reference`` (n, k): log the linear CKA of V with it (e.g. ``netmf_embedding``)."""
    dim = check_int("dim (embedding width)", dim, minimum=1)
    if graph.n > 3000:
        raise ValueError(f"train_negative_sampling is dense (n×n); graph has {graph.n} nodes (limit 3000)")
    A = adjacency_sparse(graph)
    deg = np.asarray(A.sum(1)).ravel()
    vol = deg.sum()
    wpos = torch.tensor(deg[:, None] * walk_target(graph, T).toarray() / vol)
    wpos = (wpos + wpos.T) / 2
    wneg = torch.tensor(b * np.outer(deg, deg) / vol ** 2)
    gen = torch.Generator().manual_seed(seed)
    V = (torch.randn(graph.n, dim, generator=gen, dtype=torch.float64) * init_std).requires_grad_()
    opt = torch.optim.Adam([V], lr=lr)
    log, log_at = [], set(eval_steps) | {0}
    t0 = time.perf_counter()
    for step in range(steps + 1):
        X = V @ V.T
        loss = -(wpos * torch.nn.functional.logsigmoid(X) + wneg * torch.nn.functional.logsigmoid(-X)).sum()
        if step in log_at:
            entry = dict(step=step, loss=float(loss.detach()))
            if reference is not None:
                entry["cka"] = linear_cka(V.detach().numpy(), reference)
            log.append(entry)
        if step == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    settings = dict(graph=graph.name, dim=dim, T=T, b=b, lr=lr, steps=steps, init_std=init_std, seed=seed)
    return Node2VecRun(V.detach().numpy(), log, settings, time.perf_counter() - t0)


# ---------------------------------------------------------------- the three measured statements of C10
def dynamics_summary(run: Node2VecRun, graph: Graph, spectrum_, n_spaces: int = 1) -> dict:
    """Numbers for C10 from a run trained with ``track=spectrum_.vectors`` (full spectrum):

    * ``c0_error``: ‖C(0) + L‖_F / ‖L‖_F at this run's init width and scale (a) — recomputed on a fresh
      draw of the same distribution;
    * ``fiedler_kept`` / ``rest_kept``: ‖Vᵀe_i‖ at the end over its value at init, the smallest on the
      Fiedler-like set and the largest elsewhere (trivial vectors excluded) (b);
    * ``fiedler_c`` / ``rest_c``: ‖C e_i‖ at the end, the largest on the set and the smallest elsewhere (c);
    * ``survivors``: how many non-trivial eigenvectors keep ≥ 5% of the largest non-trivial ‖Vᵀe_i‖;
    * ``max_angle``: the largest principal angle (degrees) between V's top singular vectors and the
      trivial + Fiedler-like eigenspaces — small when V's surviving subspace is a deformed Fiedler space
      even where ‖C e_i‖ does not vanish exactly.
    """
    t = n_components(graph)
    F = fiedler_vectors(graph, spectrum_, n_spaces).shape[1]
    first, last = run.log[0], run.log[-1]
    kept = last["proj"][t:] / first["proj"][t:]
    proj = last["proj"][t:]
    return dict(c0_error=init_c_error(graph, run.settings["dim"], run.settings["init_std"], run.settings["seed"]),
                fiedler_dim=F, fiedler_kept=float(kept[:F].min()), rest_kept=float(kept[F:].max(initial=0.0)),
                fiedler_c=float(last["c_proj"][t:t + F].max()), rest_c=float(last["c_proj"][t + F:].min(initial=np.inf)),
                survivors=int((proj / proj.max() >= 0.05).sum()),
                max_angle=float(principal_angles(run.V, spectrum_.vectors[:, :t + F]).max()))


def node2vec_init(graph: Graph, dim: int = 16, steps: int = 3000, seed: int = 0) -> np.ndarray:
    """Initial node embeddings from a Node2Vec of width ``dim`` trained for ``steps`` (chapter 07)."""
    return train_node2vec(graph, dim=dim, steps=steps, seed=seed).V


def node2vec_loss(graph: Graph, device="cpu"):
    """The paper's 1-hop Node2Vec objective as a differentiable function of an embedding matrix, for
    use as an auxiliary loss on a sequence model's node tokens (chapter 07's headroom experiment):
    E ↦ (1/n) Σ_i Σ_j (D⁻¹A)_ij · (−log softmax(E_i Eᵀ)_j) over the first n rows of E (self included in
    the softmax). Averaged over nodes, so its weight does not depend on the graph's size."""
    Q = _random_walk_matrix(graph).tocoo()
    rows, cols = torch.tensor(Q.row, device=device), torch.tensor(Q.col, device=device)
    w = torch.tensor(Q.data, dtype=torch.float32, device=device)
    n = graph.n

    def loss(weight: torch.Tensor) -> torch.Tensor:
        r, c, q = (t.to(weight.device) for t in (rows, cols, w))  # no-ops once on the model's device
        E = weight[:n]
        return -(q * torch.log_softmax(E @ E.T, dim=1)[r, c]).sum() / n
    return loss


# ---------------------------------------------------------------- tied vs untied, with snapshots (C18-C20)
MAX_DENSE_NODES = 3000  # the dense trajectory below keeps n × n logits


def untied_gradient(U, V, Q) -> tuple[torch.Tensor, torch.Tensor]:
    """(∇_U J, ∇_V J) of the untied objective J(U, V) = Σ_ij Q_ij · (−log softmax(U Vᵀ)_ij) (paper §4.4:
    U reads the input node, V scores the output): with M = q P − Q (q: Q's row mass) they are M V and
    Mᵀ U. Tied (U = V) the two add up to the (M + Mᵀ) V of the paper's Node2Vec."""
    U, V = torch.as_tensor(U), torch.as_tensor(V)
    Qd = torch.as_tensor(sp.csr_matrix(Q).toarray(), dtype=U.dtype)
    M = torch.softmax(U @ V.T, dim=1) * Qd.sum(1, keepdim=True) - Qd
    return M @ V, M.T @ U


def node2vec_loss_value(U, V, Q) -> float:
    """J(U, V) = Σ_ij Q_ij · (−log softmax(U Vᵀ)_ij) (tied: pass V twice)."""
    U, V = torch.as_tensor(U), torch.as_tensor(V)
    Qd = torch.as_tensor(sp.csr_matrix(Q).toarray(), dtype=U.dtype)
    return float(-(Qd * torch.log_softmax(U @ V.T, dim=1)).sum())


@dataclass
class Trajectory:
    """Snapshots of a small Node2Vec: ``U[k]`` (input side) and ``V[k]`` (output side; the same matrix
    when ``tied``) at ``steps[k]``, the loss there, and the settings."""

    steps: np.ndarray
    U: np.ndarray      # (snapshots, n, dim)
    V: np.ndarray      # (snapshots, n, dim)
    loss: np.ndarray
    tied: bool
    settings: dict = field(default_factory=dict)


def node2vec_trajectory(graph: Graph, tied: bool = True, dim: int = 100, lr: float = 0.01, steps: int = 10_000,
                        init_std: float = 1.0, seed: int = 0, eval_steps=(), target=None,
                        dtype=torch.float64) -> Trajectory:
    """The paper's Node2Vec (plain full-batch gradient descent, spec "Models"), dense, on a small graph,
    keeping U and V at step 0, every step in ``eval_steps`` and the last. ``tied=True`` is exactly
    ``train_node2vec`` (same init draw, same update); ``tied=False`` draws a second, independent
    N(0, init_std²) matrix for the output side and descends on both (``untied_gradient``)."""
    dim = check_int("dim (embedding width)", dim, minimum=1)
    steps = check_int("steps", steps, minimum=0)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    init_std = check_float("init_std", init_std, minimum=0.0, strict_min=True)
    if not isinstance(graph, Graph):
        raise ValueError(f"graph must be a geomem Graph, got {type(graph).__name__}")
    if graph.n > MAX_DENSE_NODES:
        raise ValueError(f"graph has {graph.n} nodes; node2vec_trajectory is dense (n × n), limit "
                         f"{MAX_DENSE_NODES}: use train_node2vec")
    check_size(f"Node2Vec snapshots of dim {dim} on {graph.n} nodes", "dim (embedding width) or eval_steps",
               2 * (len(set(eval_steps)) + 2) * graph.n * dim * 8)
    Q = one_hop_target(graph) if target is None else sp.csr_matrix(target)
    if Q.shape != (graph.n, graph.n):
        raise ValueError(f"target must be {graph.n}×{graph.n} for graph {graph.name!r}, got {Q.shape}")
    Qd = torch.tensor(Q.toarray(), dtype=dtype)
    q = Qd.sum(1, keepdim=True)
    gen = torch.Generator().manual_seed(seed)
    U = (torch.randn(graph.n, dim, generator=gen, dtype=torch.float64) * init_std).to(dtype)
    V = U if tied else (torch.randn(graph.n, dim, generator=gen, dtype=torch.float64) * init_std).to(dtype)
    keep = (set(eval_steps) | {0, steps}) & set(range(steps + 1))
    snaps = []

    def record(step):
        snaps.append((step, U.clone(), V.clone(), float(-(Qd * torch.log_softmax(U @ V.T, dim=1)).sum())))

    for step in range(steps + 1):
        if step in keep:
            record(step)
        if step == steps:
            break
        M = torch.softmax(U @ V.T, dim=1).mul_(q).sub_(Qd)
        if tied:
            U = U - lr * ((M + M.T) @ U)
            V = U
        else:
            U, V = U - lr * (M @ V), V - lr * (M.T @ U)
    settings = dict(graph=graph.name, tied=tied, dim=dim, lr=lr, steps=steps, init_std=init_std, seed=seed)
    return Trajectory(np.array([s[0] for s in snaps]), np.stack([s[1].numpy() for s in snaps]),
                      np.stack([s[2].numpy() for s in snaps]), np.array([s[3] for s in snaps]), tied, settings)
