"""Coding exercises: in every course chapter the student writes the chapter's key piece and a checker
here runs it on fresh random cases against the reference.

``check_<name>(student_fn)`` prints one line — passed, or the first failing case with what was expected,
what came back and a hint — and returns True or False; it never raises for a wrong answer, and it says
"not written yet" for the untouched stub. ``EXERCISES`` lists every exercise (chapter, stars, title).
"""
from .core import EXERCISES, Case, Exercise, check, checker, is_stub  # noqa: F401
from .paths import *  # noqa: F401,F403
from .surprise import *  # noqa: F401,F403
from .memory import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403
from .ablations import *  # noqa: F401,F403
from .scaling import *  # noqa: F401,F403
from .analyses import *  # noqa: F401,F403
