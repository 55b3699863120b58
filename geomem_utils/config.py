"""Run-wide settings: one seed, quick mode, device choice and parameter checks.

Every other module imports from here, never the other way round.
"""
from __future__ import annotations

import math
import os
import random
from numbers import Integral, Real

import numpy as np
import torch

QUICK_ENV = "GEOMEM_QUICK"


def quick_mode() -> bool:
    """True when the environment asks for the small, fast settings (CI sets ``GEOMEM_QUICK=1``)."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def pick(quick, default):
    """Return ``quick`` in quick mode and ``default`` otherwise (for notebook settings)."""
    return quick if quick_mode() else default


def set_seed(seed: int) -> np.random.Generator:
    """Seed python, numpy and torch from one integer and return a numpy Generator.

    networkx takes its randomness from the ``seed=`` arguments that our graph builders pass on,
    so one integer fixes every random number in a run on a given machine.
    """
    seed = check_int("seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def default_device() -> torch.device:
    """CUDA when present (paper-scale runs), else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def as_numpy(x) -> np.ndarray:
    """A float64 numpy copy of an array-like or a (possibly grad-tracking, GPU) torch tensor."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


# ---------------------------------------------------------------- parameter checks
def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as int, or raise one ValueError that names the parameter."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name: str, value, minimum: float | None = None, maximum: float | None = None,
                strict_min: bool = False) -> float:
    """Return ``value`` as float, or raise one ValueError that names the parameter."""
    try:  # float() of a huge int overflows, and np.isfinite of one raises TypeError: both mean "not finite"
        finite = math.isfinite(float(value)) if isinstance(value, Real) and not isinstance(value, bool) else False
    except OverflowError:
        finite = False
    if not finite:
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    if minimum is not None and (value < minimum or (strict_min and value == minimum)):
        op = ">" if strict_min else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


# The most memory one builder may ask for before it allocates: well under a 2-core, 24 GiB laptop's
# kill line (a learner's kernel dies without a word when the OS runs out), well over every chapter's
# and every paper-scale model's need (G_{10^4,10} at width 784: about 1.1 GiB of training state).
MAX_BYTES = 8 * 2**30


def check_size(what: str, parameters: str, n_bytes: float, limit: float = MAX_BYTES) -> None:
    """Raise one ValueError naming ``parameters`` if building ``what`` needs more than ``limit`` bytes
    (an estimate made *before* allocating, so a huge value fails here instead of killing the process)."""
    if n_bytes > limit:
        raise ValueError(f"{what} would need about {n_bytes / 2**30:,.1f} GiB, more than the limit of "
                         f"{limit / 2**30:g} GiB (geomem_utils.config.MAX_BYTES); lower {parameters}")


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError naming them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value
