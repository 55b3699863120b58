"""Node2Vec's spectral bias on a path-star (paper §4, claims C10, C11; chapter 06).

How much of a 1-hop Node2Vec's energy lands in the Fiedler-like eigenspace of −L (dimension d − 1 on
G_{d,ℓ}) over training, on a path-star too big for a dense eigensolver.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from ..config import check_int
from ..graphs import path_star
from ..history import log_spaced_steps
from ..node2vec import train_node2vec
from ..spectral import spectral_concentration, spectrum


@dataclass(frozen=True)
class StarSpectralBias:
    """Node2Vec (width ``dim``, ``steps`` full-batch steps at ``lr``) on G_{d,l}; ``compute()`` returns the
    Fiedler-like share of ‖V‖² (trivial direction removed) at log-spaced steps and the final
    concentration, with the eigensolver's and the trainer's times."""

    name: ClassVar[str] = "06_node2vec_path_star"
    d: int = 500
    l: int = 5
    steps: int = 10_000
    dim: int = 100
    lr: float = 0.01
    seed: int = 0

    def __post_init__(self):
        check_int("d", self.d, minimum=2)

    def compute(self) -> dict:
        d, g = self.d, path_star(self.d, self.l, seed=self.seed)
        t0 = time.time()
        s = spectrum(g, k=d + 6, method="sparse")
        t_eig = time.time() - t0
        run = train_node2vec(g, dim=self.dim, lr=self.lr, steps=self.steps, seed=self.seed, track=s.vectors,
                             eval_steps=log_spaced_steps(self.steps, 4))
        steps, norm2 = run.series("norm2")
        proj = run.series("proj")[1]
        share = proj[:, 1:d] ** 2 / (norm2 - proj[:, 0] ** 2)[:, None]   # Fiedler-like share at each logged step
        return dict(nodes=g.n, eig_seconds=t_eig, train_seconds=run.wall_time, steps=steps,
                    fiedler_share=share.sum(1), baseline=(d - 1) / (g.n - 1),
                    concentration=spectral_concentration(run.V, g, spectrum_=s)["concentration"])
