"""One trainer for every model and recipe (spec §2 "Optimisation").

AdamW with linear warm-up then cosine decay; minibatches drawn epoch by epoch from the mixed set of
edge and path examples (the paper's main recipe) or, with ``recipe="staged"``, edges first and paths
after (ablation C14). The loss is computed at target positions only, so logits over the vocabulary
are formed for a handful of positions per sequence, not all of them.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .config import check_choice, check_float, check_int, default_device
from .evaluation import edge_recovery, geometric_level, path_accuracy, teacher_forced_accuracy
from .models import ModelConfig, SequenceModel, build_model
from .graphs import path_star, tree_star
from .tasks import IGNORE, EdgeTask, Examples, InContextTask, PathStarTask


@dataclass
class TrainConfig:
    """Optimisation settings. ``batch_size=0`` means full batch."""

    steps: int = 2000
    batch_size: int = 256
    lr: float = 3e-3
    min_lr_frac: float = 0.1      # cosine decays to lr * min_lr_frac
    warmup: int = 100
    weight_decay: float = 0.01
    betas: tuple = (0.9, 0.98)
    grad_clip: float = 1.0
    recipe: str = "mixed"         # "mixed" (paper) or "staged" (C14)
    stage_steps: int = 0          # staged: steps on edges alone before paths join
    stage_two: str = "mixed"      # staged, after stage_steps: "mixed" (edges + paths) or "paths" alone
    stage_lr_frac: float = 1.0    # staged: learning rate multiplier after stage_steps (C14: lower)
    seed: int = 0
    decay_embeddings: bool = False  # weight decay on the token embeddings too (C16's knob; off by default)
    amp: bool = False               # bfloat16 autocast for the forward pass (paper-scale runs on CUDA)
    node2vec_weight: float = 0.0    # auxiliary 1-hop Node2Vec loss on the node embeddings (chapter 07)
    sampled_softmax: int = 0        # >0: softmax over the batch's targets + this many uniform negatives (ch 09)

    def __post_init__(self):
        check_int("steps", self.steps, minimum=1)
        check_int("batch_size", self.batch_size, minimum=0)
        check_float("lr (learning rate)", self.lr, minimum=0.0, strict_min=True)
        check_float("min_lr_frac", self.min_lr_frac, minimum=0.0, maximum=1.0)
        check_int("warmup", self.warmup, minimum=0)
        check_float("weight_decay", self.weight_decay, minimum=0.0)
        check_float("grad_clip", self.grad_clip, minimum=0.0)
        check_choice("recipe", self.recipe, ("mixed", "staged"))
        check_int("stage_steps", self.stage_steps, minimum=0)
        check_choice("stage_two", self.stage_two, ("mixed", "paths"))
        check_float("stage_lr_frac", self.stage_lr_frac, minimum=0.0, strict_min=True)
        check_int("seed", self.seed, minimum=0)
        check_float("node2vec_weight", self.node2vec_weight, minimum=0.0)
        check_int("sampled_softmax", self.sampled_softmax, minimum=0)

    def lr_at(self, step: int) -> float:
        """Linear warm-up to ``lr``, then cosine decay towards ``lr * min_lr_frac`` (reached at step ``steps``);
        staged recipes multiply it by ``stage_lr_frac`` once the edge stage is over."""
        if self.recipe == "staged" and step >= self.stage_steps and self.stage_lr_frac != 1.0:
            return self.stage_lr_frac * replace(self, stage_lr_frac=1.0).lr_at(step)
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        frac = (step - self.warmup) / max(1, self.steps - self.warmup)
        return self.lr * (self.min_lr_frac + (1 - self.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class History:
    """Metrics over training: ``loss`` every step, evaluation dicts every ``eval_every`` steps."""

    loss: list = field(default_factory=list)
    evals: list = field(default_factory=list)   # [{"step": s, "time": t, metric: value, ...}]
    wall_time: float = 0.0

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one evaluated metric."""
        rows = [e for e in self.evals if name in e]
        return np.array([e["step"] for e in rows]), np.array([e[name] for e in rows])

    def curves(self, names=("test_exact", "test_hardest", "train_exact", "edge_recovery")) -> dict:
        """Plain learning curves for storage: ``steps`` and one list per metric in ``names``."""
        return dict(steps=[int(e["step"]) for e in self.evals], **{n: [float(e[n]) for e in self.evals] for n in names})

    def last(self, name: str):
        return self.series(name)[1][-1]

    def first_step(self, name: str, threshold: float, position: int | None = None) -> int | None:
        """The first evaluated step at which metric ``name`` (column ``position`` of a per-position
        metric) is >= ``threshold``; None if it never is (steps-to-threshold, P1 and claim C3)."""
        steps, values = self.series(name)
        if position is not None:
            values = values[:, position] if len(values) else values
        hit = np.flatnonzero(values >= threshold)
        return int(steps[hit[0]]) if len(hit) else None


def loss_on_targets(model: SequenceModel, x: torch.Tensor, y: torch.Tensor, sampled: int = 0) -> torch.Tensor:
    """Mean cross-entropy over the target positions of a batch.

    Two savings, both exact: logits are formed only at target rows (not all B*T positions), and rows
    are grouped by the position of their last target and cut there, so a 3-token edge example is not
    run padded to the length of a path example (causal attention: later padding never changes
    earlier outputs).

    ``sampled > 0`` trades exactness for speed on big vocabularies (chapter 09's 20k-token G_{5000,5}):
    the softmax runs over the batch's own target tokens plus ``sampled`` tokens drawn uniformly, shared
    by all rows (a uniform proposal needs no log-Q correction). Evaluation always uses the full softmax.
    """
    mask = y != IGNORE
    ends = (mask * torch.arange(1, y.shape[1] + 1, device=y.device)).amax(1)
    hs, ts = [], []
    for end in ends.unique().tolist():
        rows = ends == end
        xb, yb = x[rows, :end], y[rows, :end]
        m = yb != IGNORE
        hs.append(model(xb)[m])
        ts.append(yb[m])
    h, t = torch.cat(hs), torch.cat(ts)
    vocab = model.token_embedding.weight.shape[0]
    if not sampled or sampled >= vocab:
        return F.cross_entropy(model.readout(h), t)
    negatives = torch.randint(vocab, (sampled,), device=t.device)
    candidates, inverse = torch.unique(torch.cat([t, negatives]), return_inverse=True)
    logits = h @ model.token_embedding.weight[candidates].T
    return F.cross_entropy(logits, inverse[:len(t)])


def _batches(n: int, batch_size: int, gen: torch.Generator):
    """Endless epoch-wise shuffled index batches."""
    bs = n if batch_size in (0, None) or batch_size >= n else batch_size
    while True:
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n - bs + 1, bs):
            yield perm[i:i + bs]


def batch_stream(task, config: TrainConfig, device):
    """Endless (x, y) minibatches for ``task``, one per step.

    * PathStarTask: the mixed edge + training-path set, shuffled epoch by epoch; with
      ``recipe="staged"`` edges alone for the first ``stage_steps`` steps, then the mixed set (or, with
      ``stage_two="paths"``, the training paths alone).
    * InContextTask: ``batch_size`` fresh random graphs every step (seeded by ``config.seed``).
    * Examples: that fixed set, shuffled epoch by epoch.
    """
    gen = torch.Generator().manual_seed(config.seed)
    if isinstance(task, InContextTask):
        if not config.batch_size:
            raise ValueError("batch_size must be >= 1 for an InContextTask (there is no full batch)")
        rng = np.random.default_rng(config.seed)
        while True:
            yield task.sample(config.batch_size, rng).inputs_targets(device)
    if isinstance(task, PathStarTask):
        data = task.training_set()
    elif isinstance(task, EdgeTask):
        data = task.edge_examples()
    elif isinstance(task, Examples):
        data = task
    else:
        raise ValueError(f"task must be a PathStarTask, EdgeTask, InContextTask or Examples, got {type(task).__name__}")
    x_all, y_all = (t.to(device) for t in data.inputs_targets())
    step = 0
    if config.recipe == "staged":
        if not isinstance(task, PathStarTask):
            raise ValueError("recipe='staged' needs a PathStarTask (edges, then paths)")
        xe, ye = (t.to(device) for t in task.edge_examples().inputs_targets())
        for idx in _batches(len(xe), config.batch_size, gen):
            if step >= config.stage_steps:
                break
            step += 1
            yield xe[idx], ye[idx]
        if config.stage_two == "paths":
            x_all, y_all = (t.to(device) for t in task.path_examples("train").inputs_targets())
    for idx in _batches(len(x_all), config.batch_size, gen):
        yield x_all[idx], y_all[idx]


def train(model: SequenceModel, task: PathStarTask | InContextTask | Examples, config: TrainConfig, *,
          eval_every: int = 0, evaluate: Callable | None = None, progress: bool = True,
          device=None, max_seconds: float | None = None, eval_steps=()) -> History:
    """Train ``model`` on ``task`` and return its History (see ``batch_stream`` for the data).

    ``evaluate(model) -> dict`` runs every ``eval_every`` steps, after each step count in ``eval_steps``
    (e.g. ``log_steps``), and at the end; for a PathStarTask the
    default measures held-out exact match, hardest-token accuracy and edge recovery.
    ``max_seconds`` stops early at a wall-clock budget (benchmarks).
    """
    device = device or default_device()
    model.to(device).train()
    torch.manual_seed(config.seed)
    if evaluate is None and isinstance(task, PathStarTask) and task.path_mode != "none":
        evaluate = lambda m: default_metrics(m, task)  # noqa: E731
    batches = batch_stream(task, config, device)
    aux = node2vec_penalty(task, device) if config.node2vec_weight else None

    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() >= 2
             and (config.decay_embeddings or "embedding" not in n)]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p not in set(decay)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=config.lr, betas=config.betas)
    params = decay + no_decay
    hist, eval_steps = History(), set(eval_steps)
    t0, eval_time = time.perf_counter(), 0.0
    bar = tqdm(range(config.steps), disable=not progress, desc="training", leave=False)
    for step in bar:
        for g in opt.param_groups:
            g["lr"] = config.lr_at(step)
        x, y = next(batches)
        with torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=config.amp):
            loss = loss_on_targets(model, x, y, config.sampled_softmax)
        if aux is not None:
            loss = loss + config.node2vec_weight * aux(model.token_embedding.weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip:
            torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
        opt.step()
        hist.loss.append(loss.item())
        last = step == config.steps - 1
        train_time = time.perf_counter() - t0 - eval_time  # evaluation time is not training time
        out_of_time = max_seconds is not None and train_time > max_seconds
        if evaluate is not None and ((eval_every and (step + 1) % eval_every == 0) or step + 1 in eval_steps
                                     or last or out_of_time):
            t_eval = time.perf_counter()
            metrics = evaluate(model)
            hist.evals.append(dict(step=step + 1, time=train_time, **metrics))
            bar.set_postfix({k: f"{v:.2f}" for k, v in metrics.items() if isinstance(v, float)})
            eval_time += time.perf_counter() - t_eval
        if out_of_time:
            break
    hist.wall_time = time.perf_counter() - t0 - eval_time
    model.eval()
    return hist


def node2vec_penalty(task, device="cpu") -> Callable:
    """The paper's 1-hop Node2Vec objective on a model's node-token embeddings, as an auxiliary loss
    (chapter 07's headroom experiment): E ↦ (1/n) Σ_i (1/deg i) Σ_{j∈nbr(i)} −log softmax(E_i Eᵀ)_j over
    the node rows of E (self included in the softmax). Averaged over nodes so its weight is size-free."""
    graph = getattr(task, "graph", None)
    if graph is None:
        raise ValueError("node2vec_weight > 0 needs a task with a fixed graph (PathStarTask or EdgeTask)")
    e = graph.directed_edges("both")
    deg = np.bincount(e[:, 0], minlength=graph.n).astype(np.float64)
    rows, cols = torch.tensor(e[:, 0], device=device), torch.tensor(e[:, 1], device=device)
    w = torch.tensor(1.0 / deg[e[:, 0]], dtype=torch.float32, device=device)
    n = graph.n

    def penalty(weight: torch.Tensor) -> torch.Tensor:
        E = weight[:n]
        logp = torch.log_softmax(E @ E.T, dim=1)
        return -(w * logp[rows, cols]).sum() / n
    return penalty


def load_embeddings(model, init, scale: float | None = None) -> None:
    """Write ``init`` (n_nodes × k, e.g. Laplacian eigenvectors or Node2Vec factors) into the first k
    dimensions of the node-token embeddings, rescaled so its entries have the model's init std (chapter
    07: does starting from a geometry help?). The other dimensions and the special tokens keep their init."""
    W = model.token_embedding.weight
    init = np.asarray(init, dtype=np.float64)
    if init.ndim != 2 or init.shape[1] > W.shape[1] or init.shape[0] > W.shape[0]:
        raise ValueError(f"init_embeddings must be (nodes, k) with k ≤ width {W.shape[1]}, got {init.shape}")
    scale = model.config.emb_init_std if scale is None else scale
    init = init * (scale / max(init.std(), 1e-300))
    with torch.no_grad():
        W[:init.shape[0], :init.shape[1]] = torch.as_tensor(init, dtype=W.dtype)


def default_metrics(model, task: PathStarTask, positions: bool = False) -> dict:
    """Held-out exact match and hardest-token accuracy, training-leaf exact match, edge recovery;
    with ``positions=True`` also ``test_positions``: per-position teacher-forced accuracy on the
    held-out paths (the learning order of claim C3)."""
    test = path_accuracy(model, task, "test")
    train_ = path_accuracy(model, task, "train")
    out = dict(test_exact=test["exact_match"], test_hardest=test["hardest_token"],
               train_exact=train_["exact_match"], edge_recovery=edge_recovery(model, task))
    if positions:
        out["test_positions"] = teacher_forced_accuracy(model, task.path_examples("test"))
    return out


def model_for(task: PathStarTask, **sizes) -> SequenceModel:
    """A model sized for ``task``'s vocabulary and sequence length (extra keywords go to ModelConfig)."""
    T = task.training_set().tokens.shape[1]
    return build_model(ModelConfig(vocab_size=len(task.vocab), block_size=T, **sizes))


@dataclass
class Run:
    """A trained model with its task, history and the settings that produced it."""

    task: PathStarTask
    model: SequenceModel
    history: History
    settings: dict


# Chapter 02's setting, found by the sweep in benchmarks/p1_time_to_threshold.py: reaches >= 90% held-out
# exact match on G_{100,5} and G_{200,5} in a few hundred steps on a 2-core CPU.
PATH_STAR_DEFAULTS = dict(d=200, l=5, width=128, depth=2, heads=4, n_pause=1, steps=400, lr=2e-3, batch_size=256)


def run_path_star(d: int = 200, l: int = 5, width: int = 128, depth: int = 2, heads: int = 4,
                  n_pause: int = 1, steps: int = 400, lr: float = 2e-3, batch_size: int = 256,
                  seed: int = 0, eval_every: int = 50, progress: bool = True,
                  max_seconds: float | None = None, freeze_embeddings: bool = False,
                  track_positions: bool = False, weight_decay: float = 0.01, decay_embeddings: bool = False,
                  node2vec_weight: float = 0.0, init_embeddings=None, kind: str = "gpt", train_options: dict | None = None,
                  family: str = "path_star", device=None, **task_options) -> Run:
    """The in-weights path-star experiment of chapter 02 (paper §2, claim C2) in one call.

    Builds G_{d,l} (ids permuted by ``seed``), the mixed edge + path task (extra ``task_options`` go to
    PathStarTask: ``edge_direction``, ``path_mode``, ``self_edges`` …), a GPT with tied embeddings, and
    trains it with AdamW, warm-up and cosine decay, evaluating held-out leaves every ``eval_every`` steps.
    ``freeze_embeddings`` keeps the token embeddings (and the tied unembedding) at init (claim C5);
    ``track_positions`` also records per-position teacher-forced accuracy on held-out paths (claim C3).
    Chapter 07's interventions: ``weight_decay`` (with ``decay_embeddings`` on the token embeddings too),
    ``node2vec_weight`` (auxiliary Node2Vec loss on the node embeddings), ``init_embeddings`` (an
    (n_nodes, k) array for ``load_embeddings``: in the graph's own, seed-permuted node ids), and
    ``self_edges=True`` (a task option). ``kind="mamba"`` swaps the GPT for a Mamba of the same depth and
    width (chapter 08); ``train_options`` go to TrainConfig (e.g. the staged recipe of C14);
    ``family="tree_star"`` trains on T_{d,l} instead (C15, with ``split_by="first_token"`` or ``"leaf"``).
    ``device``: default CUDA when present, else the CPU (``train_options={"amp": True}`` for bfloat16).
    """
    from .config import set_seed
    set_seed(seed)
    builders = {"path_star": path_star, "tree_star": tree_star}
    if family not in builders:
        raise ValueError(f"family must be one of {list(builders)}, got {family!r}")
    task = PathStarTask(builders[family](d, l, seed=seed), n_pause=n_pause, split_seed=seed, **task_options)
    model = model_for(task, n_layer=depth, n_head=heads, n_embd=width, freeze_embeddings=freeze_embeddings, kind=kind)
    if init_embeddings is not None:
        load_embeddings(model, init_embeddings(task.graph) if callable(init_embeddings) else init_embeddings)
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, warmup=min(100, steps // 10), seed=seed,
                         weight_decay=weight_decay, decay_embeddings=decay_embeddings, node2vec_weight=node2vec_weight,
                         **(train_options or {}))
    evaluate = (lambda m: default_metrics(m, task, positions=track_positions)) if task.path_mode != "none" else None
    hist = train(model, task, config, eval_every=eval_every, evaluate=evaluate, progress=progress,
                 max_seconds=max_seconds, device=device)
    settings = dict(d=d, l=l, width=width, depth=depth, heads=heads, n_pause=n_pause, steps=steps, lr=lr,
                    batch_size=batch_size, seed=seed, family=family, kind=kind, freeze_embeddings=freeze_embeddings, weight_decay=weight_decay,
                    decay_embeddings=decay_embeddings, node2vec_weight=node2vec_weight,
                    init_embeddings=None if init_embeddings is None else getattr(init_embeddings, "__name__", "array"),
                    **(train_options or {}), **task_options)
    return Run(task, model, hist, settings)


def run_in_context(d: int = 2, l: int = 5, n_labels: int = 50, reverse: bool = False, width: int = 64,
                   depth: int = 2, heads: int = 4, steps: int = 2000, lr: float = 1e-3, batch_size: int = 64,
                   seed: int = 0, eval_every: int = 100, n_test: int = 500, progress: bool = True) -> Run:
    """The predecessor's in-context path-star (claim C1): a fresh random G_{d,l} labelling in every
    example, next-token training on the path. Every ``eval_every`` steps, ``n_test`` fixed unseen
    examples give greedy exact match, the accuracy of v1 (forward targets; chance 1/d) and per-position
    teacher-forced accuracy (``teacher_forced``: near 1 after v1 is the Clever Hans signature)."""
    from .config import set_seed
    from .evaluation import incontext_accuracy
    set_seed(seed)
    task = InContextTask(d=d, l=l, n_labels=n_labels, reverse=reverse)
    test = task.sample(n_test, np.random.default_rng(10_000 + seed))  # never drawn by training (other stream)
    model = build_model(ModelConfig(vocab_size=len(task.vocab), block_size=task.prompt_len + task.l,
                                    n_layer=depth, n_head=heads, n_embd=width))

    def evaluate(m):
        r = incontext_accuracy(m, task, test)
        out = dict(exact_match=r["exact_match"], teacher_forced=r["teacher_forced"])
        if "hardest_token" in r:
            out["hardest_token"] = r["hardest_token"]
        return out

    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, warmup=min(100, steps // 10), seed=seed)
    hist = train(model, task, config, eval_every=eval_every, evaluate=evaluate, progress=progress)
    settings = dict(d=d, l=l, n_labels=n_labels, reverse=reverse, width=width, depth=depth, heads=heads,
                    steps=steps, lr=lr, batch_size=batch_size, seed=seed, eval_every=eval_every, n_test=n_test)
    return Run(task, model, hist, settings)


# ---------------------------------------------------------------- tiny graphs (paper §3, claims C7, C8)
# The four memorizers of the paper's Figure 1 (the Laplacian reference needs no training; see
# geometry.laplacian_reference). Widths and learning rates follow the authors' tiny-graph runs (associative
# D32 lr 0.2 as their star/grid; their cycle rate 10 diverges under our AdamW, so one rate for all graphs,
# and 1000 steps so every seed reaches 100% recovery). Full batch throughout.
MEMORIZERS = {
    "associative": dict(kind="neural_net", freeze_embeddings=True, width=32, lr=0.2, steps=1000),
    "neural net": dict(kind="neural_net", freeze_embeddings=False, width=32, lr=1e-2, steps=1000),
    "transformer": dict(kind="gpt", freeze_embeddings=False, width=32, lr=1e-2, steps=1000),
}
# per-graph widths of the authors' neural net (cycle 512, irregular 16)
MEMORIZER_WIDTHS = {("neural net", "cycle"): 512, ("neural net", "irregular"): 16}


def tiny_metrics(model, task: EdgeTask) -> dict:
    """Top-k edge recovery (memorization) and geometric level of the node embeddings (spec "Measurements")."""
    E = model.embeddings()[:task.graph.n]
    return dict(edge_recovery=edge_recovery(model, task),
                geometric_level=geometric_level(E, task.graph.directed_edges("both")))


def log_steps(steps: int, per_decade: int = 10) -> list[int]:
    """Step counts 1 … ``steps`` spaced evenly on a log axis (every step at first): evaluation points
    for dynamics with one fast and one slow time scale."""
    steps = check_int("steps", steps, minimum=1)
    return sorted(set(np.unique(np.geomspace(1, steps, per_decade * max(1, int(np.log10(steps))) + 1)
                                .round().astype(int)).tolist()))


def run_tiny(graph, memorizer: str = "neural net", steps: int | None = None, width: int | None = None,
             lr: float | None = None, seed: int = 0, eval_every: int = 0, eval_steps=(), self_edges: bool = False,
             progress: bool = False, metrics=None, weight_decay: float = 0.01, decay_embeddings: bool = False,
             **model_options) -> Run:
    """Memorize the edges of ``graph`` (any geomem Graph) with one of ``MEMORIZERS``, full batch (paper §3,
    Figure 1). ``eval_every`` > 0 or ``eval_steps`` (e.g. ``log_steps(steps)``) record edge recovery and
    geometric level along the way (step 0 = init).
    ``metrics(model, task) -> dict`` replaces ``tiny_metrics`` (e.g. ``geometry.memory_report``, which adds
    the readout margins). Extra ``model_options`` go to ModelConfig (``emb_init_std``, ``dropout`` … C16)."""
    from .config import set_seed
    if memorizer not in MEMORIZERS:
        raise ValueError(f"memorizer must be one of {list(MEMORIZERS)}, got {memorizer!r}")
    spec = dict(MEMORIZERS[memorizer])
    family = graph.params.get("family", "") if hasattr(graph, "params") else ""
    spec["width"] = MEMORIZER_WIDTHS.get((memorizer, family), spec["width"])
    if spec["freeze_embeddings"]:  # a lookup over frozen random embeddings needs them near-orthogonal: width ≳ n
        spec["width"] = max(spec["width"], 1 << (graph.n - 1).bit_length())
    width = check_int("width", width if width is not None else spec["width"], minimum=1)
    lr = lr if lr is not None else spec["lr"]
    steps = steps if steps is not None else spec["steps"]
    set_seed(seed)
    task = EdgeTask(graph, self_edges=self_edges)
    cfg = ModelConfig(vocab_size=len(task.vocab), block_size=2, n_layer=1, n_head=1, n_embd=width,
                      kind=spec["kind"], freeze_embeddings=spec["freeze_embeddings"], **model_options)
    model = build_model(cfg)
    config = TrainConfig(steps=steps, batch_size=0, lr=lr, warmup=0, seed=seed, weight_decay=weight_decay,
                         decay_embeddings=decay_embeddings)
    metrics = metrics or tiny_metrics
    evaluate = lambda m: metrics(m, task)  # noqa: E731
    hist = History()
    if eval_every or len(eval_steps):
        hist.evals.append(dict(step=0, time=0.0, **evaluate(model)))
    run_hist = train(model, task, config, eval_every=eval_every, eval_steps=eval_steps, evaluate=evaluate,
                     progress=progress, device="cpu")
    run_hist.evals = hist.evals + run_hist.evals
    settings = dict(graph=graph.name, memorizer=memorizer, steps=steps, width=width, lr=lr, seed=seed,
                    self_edges=self_edges, weight_decay=weight_decay, decay_embeddings=decay_embeddings, **model_options)
    return Run(task, model, run_hist, settings)
