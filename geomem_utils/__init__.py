"""geomem_utils: the package behind the geomem notebooks.

Rebuilds "Deep sequence models tend to memorize geometrically; it is unclear why"
(Noroozizadeh, Nagarajan, Rosenfeld, Kumar; arXiv 2510.26745). Modules import one way:
config -> graphs -> tasks -> authors_data -> models
-> evaluation -> history -> spectral -> geometry -> readouts -> node2vec -> succinctness
-> train -> cache
-> experiments.base -> experiments.path_star -> experiments.in_context -> experiments.tiny
-> experiments.knobs -> experiments.ablations -> experiments.spectral_bias -> experiments.sweeps
-> experiments.erosion -> experiments.longer -> experiments.authors_runs -> experiments.given_geometry -> experiments.analyses -> experiments.record_search
-> experiments.record_path_star -> experiments.record_in_context -> experiments.record_tiny -> experiments.searches
-> tables -> claims -> plotting -> memory_plots -> scaling_plots -> given_plots -> widgets -> memory_widgets
-> exercises.core -> exercises.paths -> exercises.surprise -> exercises.memory -> exercises.spectral
-> exercises.ablations -> exercises.scaling -> exercises.analyses -> course.
"""
__version__ = "0.2.0"

from .config import pick, quick_mode, set_seed, default_device  # noqa: F401
from .graphs import (Graph, path_star, tree_star, cycle, grid, irregular, tiny_star, tiny_graphs,  # noqa: F401
                     from_networkx, leaf_split)
from .tasks import Vocab, Examples, PathStarTask, InContextTask  # noqa: F401
from .models import ModelConfig, GPT, NeuralNet, build_model  # noqa: F401
from .evaluation import (greedy_decode, path_accuracy, teacher_forced_accuracy, edge_recovery,  # noqa: F401
                         geometric_level)
from .history import History, first_passage, log_spaced_steps  # noqa: F401
from .train import TrainConfig, Run, train  # noqa: F401
from .experiments import (PathStarExperiment, InContextExperiment, TinyExperiment, run_path_star,  # noqa: F401
                          run_in_context, run_tiny)
