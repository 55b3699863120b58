"""Coding exercises (see ``exercises.core``)."""
from __future__ import annotations

from .core import Case, Exercise, checker  # noqa: F401

__all__: list[str] = []
