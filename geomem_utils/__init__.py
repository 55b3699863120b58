"""geomem_utils: the package behind the geomem notebooks.

Rebuilds "Deep sequence models tend to memorize geometrically; it is unclear why"
(Noroozizadeh, Nagarajan, Rosenfeld, Kumar; arXiv 2510.26745). Modules import one way:
config -> graphs -> tasks -> models -> evaluation -> training -> cache -> spectral -> node2vec -> geometry -> succinctness
-> plotting -> widgets -> sweeps.
"""
__version__ = "0.1.0"

from .config import pick, quick_mode, set_seed, default_device  # noqa: F401
from .graphs import (Graph, path_star, tree_star, cycle, grid, irregular, tiny_star, tiny_graphs,  # noqa: F401
                     from_networkx, leaf_split)
from .tasks import Vocab, Examples, PathStarTask, InContextTask  # noqa: F401
from .models import ModelConfig, GPT, NeuralNet, build_model  # noqa: F401
from .evaluation import (greedy_decode, path_accuracy, teacher_forced_accuracy, edge_recovery,  # noqa: F401
                         geometric_level)
from .training import TrainConfig, History, Run, train, model_for, run_path_star, run_in_context  # noqa: F401
