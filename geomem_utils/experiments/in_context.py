"""The predecessor's in-context path-star (Bachmann & Nagarajan 2024; claim C1, chapter 03a).

A fresh random G_{d,ℓ} labelling in every example, next-token training on the path. The evaluation
set is ``n_test`` fixed unseen examples drawn from a separate stream (seed 10,000 + seed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from ..config import check_int, set_seed
from ..evaluation import incontext_accuracy
from ..tasks import InContextTask
from ..train import Run, TrainConfig, train
from .base import WarmupExperiment
from .path_star import Architecture


@dataclass(frozen=True)
class InContextTaskConfig:
    """``tasks.InContextTask``: d arms of l nodes, labels drawn from ``n_labels`` tokens; ``reverse``
    asks for goal → start."""

    d: int = 2
    l: int = 5
    n_labels: int = 50
    reverse: bool = False

    def build(self) -> InContextTask:
        return InContextTask(d=self.d, l=self.l, n_labels=self.n_labels, reverse=self.reverse)


@dataclass(frozen=True)
class InContextEval:
    """Greedy exact match, v1 accuracy (forward targets; chance 1/d) and per-position teacher-forced
    accuracy (near 1 after v1: the Clever Hans signature) on ``n_test`` fixed unseen examples."""

    eval_every: int = 100
    n_test: int = 500

    def __post_init__(self):
        check_int("eval_every", self.eval_every, minimum=0)
        check_int("n_test", self.n_test, minimum=1)


@dataclass(frozen=True)
class InContextExperiment(WarmupExperiment):
    name: ClassVar[str] = "in_context"
    task: InContextTaskConfig = InContextTaskConfig()
    model: Architecture = Architecture(width=64)
    train: TrainConfig = TrainConfig(steps=2000, batch_size=64, lr=1e-3, warmup=100)
    eval: InContextEval = InContextEval()
    seed: int = 0

    def make_task(self) -> InContextTask:
        return self.task.build()

    def test_examples(self, task: InContextTask):
        return task.sample(self.eval.n_test, np.random.default_rng(10_000 + self.seed))  # never drawn by training

    def run(self, progress: bool = True, device=None) -> Run:
        set_seed(self.seed)
        task = self.make_task()
        test = self.test_examples(task)
        model = self.model.build(len(task.vocab), task.prompt_len + task.l)

        def evaluate(m):
            r = incontext_accuracy(m, task, test)
            out = dict(exact_match=r["exact_match"], teacher_forced=r["teacher_forced"])
            if "first_hop" in r:
                out["first_hop"] = r["first_hop"]
            return out

        hist = train(model, task, self.train, seed=self.seed, eval_every=self.eval.eval_every, evaluate=evaluate,
                     progress=progress, device=device)
        return Run(task, model, hist, self.settings())


def run_in_context(progress: bool = True, device=None, **settings) -> Run:
    """Train one in-context path-star experiment from flat settings (``InContextExperiment.setting_names()``)."""
    return InContextExperiment.from_settings(**settings).run(progress=progress, device=device)


# Chapter 03a's two cached runs (the same in quick and default mode; about 90 s each on 2 cores).
CHAPTER_03A = dict(d=2, l=5, n_labels=50, width=64, depth=2, heads=4, steps=3000, lr=1e-3, batch_size=64,
                   seed=0, eval_every=100, n_test=500)


def chapter_03a(reverse: bool) -> InContextExperiment:
    """Chapter 03a's in-context experiment with forward (``reverse=False``) or reverse targets."""
    return InContextExperiment.from_settings(**CHAPTER_03A, reverse=reverse)


@torch.no_grad()
def teacher_forced_logits(model, examples) -> tuple[np.ndarray, np.ndarray]:
    """``(logits (N, T, V), targets (N, T))`` of ``examples`` fed with their true prefix: the raw material
    of ``evaluation.teacher_forced_accuracy`` (targets are -1 where a column is no target), for chapter
    03a's exercise that computes the per-position accuracy from them."""
    was_training = model.training
    model.eval()
    x, y = examples.inputs_targets(next(model.parameters()).device)
    logits = model.readout(model(x))
    model.train(was_training)
    return logits.float().cpu().numpy(), y.cpu().numpy()
