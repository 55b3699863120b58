"""The experiments layer: one module per chapter family, each experiment a frozen dataclass of configs.

``base`` (flat settings, ``Study``) → ``path_star`` (chapters 02–04, 09) → ``in_context`` (03a) →
``tiny`` (05, 06) → ``knobs`` (07) → ``ablations`` (08) → ``spectral_bias`` (06) → ``sweeps`` (09, CLI) →
``erosion`` (09, CLI) → ``longer`` (09, CLI) → ``analyses`` (10).
A new chapter's experiment goes in a new module here: a dataclass with ``name``, ``run()`` or
``compute()``, cached by ``geomem_utils.cache``.
"""
from .path_star import PathStarExperiment, path_star_experiment, run_path_star  # noqa: F401
from .in_context import InContextExperiment, run_in_context  # noqa: F401
from .tiny import MEMORIZERS, TinyExperiment, run_tiny  # noqa: F401
