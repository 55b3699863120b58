"""The generic trainer (spec §2 "Optimisation"): one loop for every model, task and recipe.

AdamW with linear warm-up then cosine decay; minibatches drawn epoch by epoch from the mixed set of
edge and path examples (the paper's main recipe) or, with ``recipe="staged"``, edges first and paths
after (ablation C14). The loss is computed at target positions only, so logits over the vocabulary
are formed for a handful of positions per sequence, not all of them. An auxiliary loss (chapter 07's
Node2Vec term) is passed in as a callable; what to evaluate is passed in too. Experiments, which know
graphs, tasks and metrics, live in ``geomem_utils.experiments`` and call ``train``.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .config import check_choice, check_float, check_int, default_device
from .evaluation import path_star_metrics
from .history import History
from .models import SequenceModel
from .tasks import IGNORE, EdgeTask, Examples, InContextTask, PathStarTask


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (every field is part of an experiment's cache key). ``batch_size=0`` means
    full batch. The seed is not here: an experiment has one seed for graph, split, init and batches."""

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
    decay_embeddings: bool = False  # weight decay on the token embeddings too (C16's knob; off by default)
    amp: bool = False               # bfloat16 autocast for the forward pass (paper-scale runs on CUDA)
    sampled_softmax: int = 0        # >0: softmax over the batch's targets + this many uniform negatives (ch 09)
    max_seconds: float | None = None  # stop at this much training time (evaluation excluded; ch 09's stretch)

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
        check_int("sampled_softmax", self.sampled_softmax, minimum=0)
        if self.max_seconds is not None:
            check_float("max_seconds", self.max_seconds, minimum=0.0, strict_min=True)

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


def batch_stream(task, config: TrainConfig, device, seed: int = 0):
    """Endless (x, y) minibatches for ``task``, one per step.

    * PathStarTask: the mixed edge + training-path set, shuffled epoch by epoch; with
      ``recipe="staged"`` edges alone for the first ``stage_steps`` steps, then the mixed set (or, with
      ``stage_two="paths"``, the training paths alone).
    * InContextTask: ``batch_size`` fresh random graphs every step (seeded by ``seed``).
    * Examples: that fixed set, shuffled epoch by epoch.
    """
    gen = torch.Generator().manual_seed(seed)
    if isinstance(task, InContextTask):
        if not config.batch_size:
            raise ValueError("batch_size must be >= 1 for an InContextTask (there is no full batch)")
        rng = np.random.default_rng(seed)
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
          seed: int = 0, eval_every: int = 0, eval_steps=(), evaluate: Callable | None = None,
          aux_loss: Callable | None = None, progress: bool = True, device=None) -> History:
    """Train ``model`` on ``task`` and return its History (see ``batch_stream`` for the data).

    ``evaluate(model) -> dict`` runs every ``eval_every`` steps, after each step count in ``eval_steps``
    (e.g. ``log_spaced_steps``) and at the end; for a PathStarTask the default is
    ``evaluation.path_star_metrics`` (held-out exact match and first hop, training exact, edge recovery).
    ``aux_loss(model) -> scalar tensor`` is added to the loss of every step (e.g. chapter 07's weighted
    Node2Vec term, ``node2vec.node2vec_loss``). ``config.max_seconds`` stops early at a training-time
    budget. ``seed`` fixes the batch order (and the fresh graphs of an InContextTask).
    """
    device = device or default_device()
    model.to(device).train()
    seed = check_int("seed", seed, minimum=0)
    torch.manual_seed(seed)
    if evaluate is None and isinstance(task, PathStarTask) and task.path_mode != "none":
        evaluate = lambda m: path_star_metrics(m, task)  # noqa: E731
    batches = batch_stream(task, config, device, seed)

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
        if aux_loss is not None:
            loss = loss + aux_loss(model)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if config.grad_clip:
            torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
        opt.step()
        hist.loss.append(loss.item())
        last = step == config.steps - 1
        train_time = time.perf_counter() - t0 - eval_time  # evaluation time is not training time
        out_of_time = config.max_seconds is not None and train_time > config.max_seconds
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


@dataclass
class Run:
    """A trained model with its task, its History and the settings that produced it (an experiment's
    flat settings record: every field of its config)."""

    task: object
    model: SequenceModel
    history: History
    settings: dict
