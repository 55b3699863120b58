"""Measurements of spec §2 "Measurements": exact match, first-hop (v1) accuracy, per-position
teacher-forced accuracy, top-k edge recovery, geometric level.

All functions run the model in eval mode under ``torch.no_grad`` and return plain floats / numpy arrays.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .tasks import IGNORE, Examples, InContextTask, PathStarTask


def _device(model) -> torch.device:
    return model.token_embedding.weight.device


@torch.no_grad()
def greedy_decode(model, prompts, n_tokens: int, batch_size: int = 4096) -> np.ndarray:
    """Batched greedy decoding: append the argmax token ``n_tokens`` times to every prompt."""
    was_training = model.training
    model.eval()
    dev, out = _device(model), []
    prompts = torch.as_tensor(np.asarray(prompts), dtype=torch.long)
    for start in range(0, len(prompts), batch_size):
        x = prompts[start:start + batch_size].to(dev)
        for _ in range(n_tokens):
            nxt = model.readout(model(x)[:, -1]).argmax(-1, keepdim=True)
            x = torch.cat([x, nxt], 1)
        out.append(x[:, prompts.shape[1]:].cpu())
    model.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros((0, n_tokens), np.int64)


def first_hop_index(task: PathStarTask) -> int:
    """Position of v1 (the root's neighbour on the leaf's arm) among the targets of ``task``."""
    return {"forward": 1, "reverse": task.graph.paths.shape[1] - 2, "first_hop": 0}[task.path_mode]


@torch.no_grad()
def decode_accuracy(model, prompts, answers) -> dict:
    """Greedy-decode ``answers.shape[1]`` tokens after each prompt: exact match, per-position accuracy
    of the free-running decode, and the decodes themselves."""
    answers = np.asarray(answers)
    pred = greedy_decode(model, prompts, answers.shape[1])
    return dict(exact_match=float((pred == answers).all(1).mean()), per_position=(pred == answers).mean(0),
                predictions=pred, answers=answers, prompts=np.asarray(prompts))


def path_accuracy(model, task: PathStarTask, split: str = "test") -> dict:
    """Greedy-decode every path of ``split``: exact match, first-hop (v1) accuracy, and the decodes.

    ``first_hop`` scores v1 in the *free-running* decode, so it is the number the paper calls
    first-token accuracy (chance 1/d).
    """
    out = decode_accuracy(model, *task.eval_prompts(split))
    out["first_hop"] = float(out["per_position"][first_hop_index(task)])
    return out


def incontext_accuracy(model, task: InContextTask, examples: Examples) -> dict:
    """In-context path-star (claim C1) on fixed test ``examples``: exact match of the greedy decode,
    accuracy of the decision token v1 (forward targets only; chance 1/d), and per-position
    teacher-forced accuracy (the Clever Hans signature: high everywhere after v1)."""
    p = task.prompt_len
    out = decode_accuracy(model, examples.tokens[:, :p], examples.tokens[:, p:])
    out["teacher_forced"] = teacher_forced_accuracy(model, examples)
    if not task.reverse:
        out["first_hop"] = float(out["per_position"][1])
    return out


@torch.no_grad()
def root_child_share(model, task: InContextTask, examples: Examples) -> float:
    """In-context path-star (C1): the share of teacher-forced predictions *at the v1 target* that name
    some child of the root, right arm or not. 1/d of them is the right one; a share near 1 with v1
    accuracy near 1/d is the shortcut "answer a node next to the root" without the lookup (chapter 03a,
    reverse targets at l = 3)."""
    p, l = task.prompt_len, task.l
    v1_at = l - 2 if task.reverse else 1           # reverse targets: goal, v_{l-2}, …, v1, start
    was_training = model.training
    model.eval()
    x, _ = examples.inputs_targets(_device(model))
    pred = model.readout(model(x)).argmax(-1).cpu().numpy()[:, p - 1 + v1_at]   # the row that predicts v1
    model.train(was_training)
    tok = examples.tokens
    edges = tok[:, : 4 * task.n_edges].reshape(len(tok), task.n_edges, 4)[:, :, [0, 2]]   # (n, edges, u/v)
    root = tok[:, 4 * task.n_edges + 1]                                                     # "/ start , goal ="
    is_child = (edges[:, :, 0] == root[:, None]) & (edges[:, :, 1] == pred[:, None])
    return float(is_child.any(1).mean())


@torch.no_grad()
def teacher_forced_accuracy(model, examples: Examples) -> np.ndarray:
    """Per target position (in order), the fraction of examples whose argmax equals the target
    when the true prefix is fed in (learning order, claim C3)."""
    was_training = model.training
    model.eval()
    x, y = examples.inputs_targets(_device(model))
    pred = model.readout(model(x)).argmax(-1)
    model.train(was_training)
    mask = (y != IGNORE).cpu().numpy()
    correct = (pred == y).cpu().numpy()
    n_t = mask.sum(1)
    if len(set(n_t.tolist())) != 1:
        raise ValueError("examples must all have the same number of targets")
    return np.stack([c[m] for c, m in zip(correct, mask)]).mean(0)


@torch.no_grad()
def edge_recovery(model, task: PathStarTask | None = None, neighbours=None, prefix=None) -> float:
    """Top-k edge recovery: for every node u, the fraction of its deg(u) neighbours among the model's
    top-deg(u) predictions after ``[EDGE] u``, averaged over nodes with at least one neighbour.

    Give a ``task`` (its trained edge direction and self-edges define the neighbours), or give
    ``neighbours`` (list of arrays) and the ``prefix`` token ids placed before u.
    """
    if task is not None:
        E = task.edge_examples().tokens
        neighbours = [[] for _ in range(task.graph.n)]
        for _, u, v in E:
            neighbours[u].append(v)
        prefix = [task.vocab["[EDGE]"]]
    nodes = [u for u, nb in enumerate(neighbours) if len(nb)]
    if not nodes:
        raise ValueError("no node has a neighbour: edge recovery is undefined")
    was_training = model.training
    model.eval()
    # nodes × vocabulary logits in row blocks: all at once is 32 GB on the paper's G_(10^4,10)
    rows = max(1, EVAL_LOGITS // model.token_embedding.weight.shape[0])
    scores = []
    for start in range(0, len(nodes), rows):
        block = nodes[start:start + rows]
        x = torch.tensor([list(prefix) + [u] for u in block], device=_device(model))
        scores += _topk_scores(model.readout(model(x)[:, -1]).cpu(), [neighbours[u] for u in block])
    model.train(was_training)
    return float(np.mean(scores))


# The most logits (floats) an evaluation forms at once: 2^25 = 128 MB.
EVAL_LOGITS = 1 << 25


def _topk_scores(logits, neighbours) -> list[float]:
    scores = []
    for row, nb in zip(torch.as_tensor(np.asarray(logits)), neighbours):
        nb = set(int(v) for v in nb)
        top = row.topk(len(nb)).indices.tolist()
        scores.append(len(nb.intersection(top)) / len(nb))
    return scores


def topk_recovery(logits, neighbours) -> float:
    """Mean over rows of the fraction of a row's k true neighbours among its top-k logits (k = deg)."""
    return float(np.mean(_topk_scores(logits, neighbours)))


def geometric_level(embeddings, edges) -> float:
    """Mean cosine similarity of the embeddings over the (directed) edges (spec "Geometric level")."""
    E = torch.as_tensor(np.asarray(embeddings), dtype=torch.float64)
    edges = np.asarray(edges)
    return float(F.cosine_similarity(E[edges[:, 0]], E[edges[:, 1]], dim=-1).mean())


def path_star_metrics(model, task: PathStarTask, positions: bool = False) -> dict:
    """What every path-star chapter tracks: held-out exact match and first-hop (v1) accuracy,
    training-leaf exact match, edge recovery; with ``positions=True`` also ``test_positions``:
    per-position teacher-forced accuracy on the held-out paths (the learning order of claim C3) and
    ``test_greedy_positions``, the same positions in the free-running decode."""
    test = path_accuracy(model, task, "test")
    train_ = path_accuracy(model, task, "train")
    out = dict(test_exact=test["exact_match"], test_first_hop=test["first_hop"],
               train_exact=train_["exact_match"], edge_recovery=edge_recovery(model, task))
    if positions:
        out["test_positions"] = teacher_forced_accuracy(model, task.path_examples("test"))
        out["test_greedy_positions"] = np.asarray(test["per_position"], dtype=float)
    return out


def edge_metrics(model, task) -> dict:
    """Top-k edge recovery (memorization) and geometric level of the node embeddings of an edge
    memorizer (paper §3; spec "Measurements")."""
    E = model.embeddings()[:task.graph.n]
    return dict(edge_recovery=edge_recovery(model, task),
                geometric_level=geometric_level(E, task.graph.directed_edges("both")))
