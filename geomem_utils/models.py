"""Models of the paper (spec §2 "Models"), all with one interface so the trainer never changes:

    h = model(idx)            # (B, T, D) hidden states, one per input position
    logits = model.readout(h) # (..., V) tied unembedding: h @ E^T
    model.token_embedding     # the nn.Embedding whose rows are the node embeddings E

``GPT`` is a small pre-LayerNorm decoder (nanoGPT-like). ``NeuralNet`` is the paper's "neural net"
(embedding -> one Linear -> tied unembedding); with ``freeze_embeddings=True`` it is the associative
model, where only W learns and memory is a pure lookup (claim C7). ``MambaLM`` is a Mamba of the same
depth and width (the paper's second architecture), built from the ``mambapy`` package's blocks.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import check_choice, check_float, check_int, check_size


ARCHS = ("gpt", "neural_net", "mamba")


@dataclass(frozen=True)
class ModelConfig:
    """Sizes of a model. ``block_size`` is the longest input it accepts (learned positions)."""

    vocab_size: int
    block_size: int = 16
    depth: int = 2
    heads: int = 4
    width: int = 128
    dropout: float = 0.0
    emb_init_std: float = 0.02      # N(0, std^2) token-embedding init (C16 varies it)
    freeze_embeddings: bool = False  # C5 / C7: embeddings (and the tied unembedding) stay at init
    arch: str = "gpt"               # architecture: "gpt", "neural_net" or "mamba"

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=1)
        check_int("block_size", self.block_size, minimum=1)
        check_int("depth", self.depth, minimum=0 if self.arch == "neural_net" else 1)
        check_int("heads", self.heads, minimum=1)
        check_int("width", self.width, minimum=1)
        check_float("dropout", self.dropout, minimum=0.0, maximum=0.99)
        check_float("emb_init_std", self.emb_init_std, minimum=0.0, strict_min=True)
        check_choice("arch", self.arch, ARCHS)
        if self.arch == "gpt" and self.width % self.heads:
            raise ValueError(f"width must be divisible by heads: "
                             f"got width {self.width} and {self.heads} heads")
        check_size(f"training a {self.arch} of width {self.width}, depth {self.depth} over {self.vocab_size} tokens",
                   "width, depth or vocab_size", 16 * self.approx_params())

    def approx_params(self) -> int:
        """Parameters, estimated before building (token and position tables plus ~12·width² per layer):
        the size check's input, at 16 bytes each to train (weights, gradients, AdamW's two moments)."""
        return (self.vocab_size + self.block_size) * self.width + max(self.depth, 1) * 12 * self.width ** 2

    def to_dict(self) -> dict:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.heads, self.dropout = c.heads, c.dropout
        self.qkv = nn.Linear(c.width, 3 * c.width)
        self.proj = nn.Linear(c.width, c.width)

    def forward(self, x, need_weights: bool = False):
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        if need_weights:  # explicit path, only for plots of attention maps
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
            att = att.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
            att = att.softmax(-1)
            y = att @ v
        else:
            att = None
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                               dropout_p=self.dropout if self.training else 0.0)
        return self.proj(y.transpose(1, 2).reshape(B, T, D)), att


class Block(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(c.width), nn.LayerNorm(c.width)
        self.attn = CausalSelfAttention(c)
        self.mlp = nn.Sequential(nn.Linear(c.width, 4 * c.width), nn.GELU(),
                                 nn.Linear(4 * c.width, c.width), nn.Dropout(c.dropout))

    def forward(self, x, need_weights: bool = False):
        a, att = self.attn(self.ln1(x), need_weights)
        x = x + a
        return x + self.mlp(self.ln2(x)), att


class SequenceModel(nn.Module):
    """Shared parts: the token embedding, its tied readout, freezing, parameter counting."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.width)

    def _finish_init(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.token_embedding.weight, std=self.config.emb_init_std)
        self.token_embedding.weight.requires_grad_(not self.config.freeze_embeddings)

    def readout(self, h: torch.Tensor) -> torch.Tensor:
        """Tied unembedding: logits = h E^T."""
        return h @ self.token_embedding.weight.T

    def num_params(self, trainable_only: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    def embeddings(self) -> torch.Tensor:
        """The token-embedding matrix E (a detached CPU copy)."""
        return self.token_embedding.weight.detach().cpu().clone()


class GPT(SequenceModel):
    """Pre-LayerNorm causal Transformer with learned positions and tied embeddings (paper §2)."""

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        c = config
        self.pos_embedding = nn.Embedding(c.block_size, c.width)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.depth))
        self.ln_f = nn.LayerNorm(c.width)
        self._finish_init()
        nn.init.normal_(self.pos_embedding.weight, std=0.02)

    def forward(self, idx: torch.Tensor, return_attention: bool = False):
        T = idx.shape[1]
        if T > self.config.block_size:
            raise ValueError(f"sequence length {T} exceeds the model's block_size {self.config.block_size}")
        x = self.drop(self.token_embedding(idx) + self.pos_embedding.weight[:T])
        maps = []
        for block in self.blocks:
            x, att = block(x, need_weights=return_attention)
            maps.append(att)
        h = self.ln_f(x)
        return (h, maps) if return_attention else h


class NeuralNet(SequenceModel):
    """The paper's "neural net": E -> Linear(D, D) with bias -> tied E^T; no attention, no nonlinearity.

    Each position is mapped on its own, so ``[EDGE] u`` is read at the position of ``u``.
    With ``freeze_embeddings=True`` this is the associative model (paper §3, claim C7).
    """

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.W = nn.Linear(config.width, config.width)
        self.drop = nn.Dropout(config.dropout)
        self._finish_init()

    def forward(self, idx: torch.Tensor):
        return self.W(self.drop(self.token_embedding(idx)))


class OutputDropoutNeuralNet(NeuralNet):
    """The neural net with dropout on W's output, E -> W -> dropout -> Eᵀ, where the authors' regularizer
    runs put it (claim C16); ``NeuralNet`` drops on the embedding, before W. Not an ``arch`` of
    ``ModelConfig`` (the C16 search builds it directly), so no cache key of the other models changes."""

    def forward(self, idx: torch.Tensor):
        return self.drop(self.W(self.token_embedding(idx)))


class UntiedNeuralNet(NeuralNet):
    """The neural net with a separate output matrix (paper §4.4, claim C18): logits = (E_u W + b) Vᵀ,
    V a second N(0, emb_init_std²) table. Tied (``NeuralNet``), V is E. Not an ``arch`` of
    ``ModelConfig`` (chapter 12 builds it directly), so every cache key of the tied models stays."""

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.unembedding = nn.Embedding(config.vocab_size, config.width)
        nn.init.normal_(self.unembedding.weight, std=config.emb_init_std)

    def readout(self, h: torch.Tensor) -> torch.Tensor:
        return h @ self.unembedding.weight.T

    def output_embeddings(self) -> torch.Tensor:
        """The output matrix V (a detached CPU copy)."""
        return self.unembedding.weight.detach().cpu().clone()


class MambaLM(SequenceModel):
    """A Mamba language model of the GPT's depth and width (paper §2 and App.: in-weights path-star with
    Mamba): tied token embeddings, ``depth`` residual Mamba blocks (selective state-space scan, pure
    PyTorch from the ``mambapy`` package: the paper's CUDA kernels do not run on a CPU), a final
    LayerNorm, no position embeddings (the recurrence is ordered). ``heads`` is unused."""

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        from mambapy.mamba import Mamba, MambaConfig
        self.mamba = Mamba(MambaConfig(d_model=config.width, n_layers=config.depth))  # its own init (dt, A)
        self.drop = nn.Dropout(config.dropout)
        self.ln_f = nn.LayerNorm(config.width)
        nn.init.normal_(self.token_embedding.weight, std=config.emb_init_std)
        self.token_embedding.weight.requires_grad_(not config.freeze_embeddings)

    def forward(self, idx: torch.Tensor):
        if idx.shape[1] > self.config.block_size:
            raise ValueError(f"sequence length {idx.shape[1]} exceeds the model's block_size {self.config.block_size}")
        return self.ln_f(self.mamba(self.drop(self.token_embedding(idx))))


def build_model(config: ModelConfig) -> SequenceModel:
    """The model named by ``config.arch``."""
    return {"gpt": GPT, "neural_net": NeuralNet, "mamba": MambaLM}[config.arch](config)


def set_embeddings(model: SequenceModel, init, scale: float | None = None) -> None:
    """Write ``init`` (n_nodes × k, e.g. Laplacian eigenvectors or Node2Vec factors) into the first k
    dimensions of the node-token embeddings, rescaled so its entries have the model's init std (chapter
    07: does starting from a geometry help?). The other dimensions and the special tokens keep their init."""
    import numpy as np
    W = model.token_embedding.weight
    init = np.asarray(init, dtype=np.float64)
    if init.ndim != 2 or init.shape[1] > W.shape[1] or init.shape[0] > W.shape[0]:
        raise ValueError(f"init_embeddings must be (nodes, k) with k ≤ width {W.shape[1]}, got {init.shape}")
    scale = model.config.emb_init_std if scale is None else scale
    init = init * (scale / max(init.std(), 1e-300))
    with torch.no_grad():
        W[:init.shape[0], :init.shape[1]] = torch.as_tensor(init, dtype=W.dtype)


def carry_embeddings(model: SequenceModel, coords, norm: float = 1.0) -> None:
    """An undiluted start: the node-token embeddings become ``coords`` (n_nodes × k) in their first k
    dimensions, rescaled so the rows' mean norm is ``norm``, and exactly 0 in the other dimensions, so
    cosine geometry (one-step navigation, nearest-own) is that of ``coords`` alone. ``set_embeddings``
    instead writes k columns at the init std beside random ones, where they carry a small share of each
    row's norm (chapter 11). Special tokens keep their init."""
    import numpy as np
    W = model.token_embedding.weight
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] > W.shape[1] or coords.shape[0] > W.shape[0]:
        raise ValueError(f"coords must be (nodes, k) with k ≤ width {W.shape[1]}, got {coords.shape}")
    if not norm > 0:
        raise ValueError(f"norm must be > 0, got {norm!r}")
    coords = coords * (norm / max(np.linalg.norm(coords, axis=1).mean(), 1e-300))
    with torch.no_grad():
        W[:coords.shape[0]] = 0.0
        W[:coords.shape[0], :coords.shape[1]] = torch.as_tensor(coords, dtype=W.dtype)


def model_for(task, **sizes) -> SequenceModel:
    """A model sized for ``task``'s vocabulary and longest training example (``sizes`` go to ModelConfig:
    ``width``, ``depth``, ``heads``, ``arch`` …)."""
    return build_model(ModelConfig(vocab_size=len(task.vocab), block_size=task.training_set().tokens.shape[1], **sizes))
