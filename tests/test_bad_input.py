"""Bad input never kills the kernel: every public builder and experiment entry point, given a random
invalid value for one parameter, raises one ValueError or TypeError whose message names that parameter
— under a memory limit, so a builder that starts allocating terabytes fails this test with a
MemoryError instead of getting CI killed by the OS."""
import re
import resource
import sys

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomem_utils import PathStarTask, cycle, from_networkx, grid, path_star, tree_star
from geomem_utils.authors_data import export_authors_files, from_authors_files
from geomem_utils.experiments import run_in_context, run_path_star, run_tiny
from geomem_utils.experiments.analyses import W_INITS, variant
from geomem_utils.experiments.tiny import MEMORIZERS
from geomem_utils.models import ARCHS, ModelConfig, build_model
from geomem_utils.tasks import PATH_MODES
from geomem_utils.node2vec import train_node2vec

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the memory limit reads /proc/self/status")
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
HEADROOM = 3 * 2**30   # what a correct call may allocate on top of what the test process already maps


@pytest.fixture
def memory_limit():
    """Cap this process's address space at its current size + ``HEADROOM`` for the test, then restore."""
    vm_kb = int(re.search(r"VmSize:\s+(\d+) kB", open("/proc/self/status").read()).group(1))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (vm_kb * 1024 + HEADROOM, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


not_a_number = st.one_of(st.text(max_size=4), st.none(), st.booleans(), st.lists(st.integers(), max_size=2))
not_an_int = st.one_of(not_a_number, st.floats(allow_nan=True, allow_infinity=True))
huge = st.integers(10**9, 10**15)


def size(minimum: int):
    """A bad value for a size: not an integer, below ``minimum``, or far too large to allocate."""
    return st.one_of(not_an_int, st.integers(max_value=minimum - 1), huge)


def count(minimum: int):
    """A bad value for a count that may be large (steps): not an integer, or below ``minimum``."""
    return st.one_of(not_an_int, st.integers(max_value=minimum - 1))


def rate(strictly_positive: bool = True):
    """A bad value for a positive rate: not finite, not a number, or at/below zero."""
    bad = st.floats(max_value=0.0) if strictly_positive else st.floats(max_value=-1e-9)
    return st.one_of(not_a_number, st.just(float("nan")), st.just(float("inf")), bad)


def not_one_of(choices):
    return st.one_of(not_a_number.filter(lambda v: v not in choices), st.text(max_size=8).filter(lambda t: t not in choices))


def fraction():
    return st.one_of(not_a_number, st.just(float("nan")), st.floats(min_value=1.0001, max_value=1e9),
                     st.floats(max_value=-1e-9))


# (entry point, parameter, bad values, how to call with that one value; every other setting valid and tiny)
G = cycle(15)
SMALL_PATH = dict(d=4, l=4, steps=1, eval_every=0, width=32, heads=2, progress=False)
SMALL_IN_CONTEXT = dict(d=2, l=4, n_labels=10, steps=1, eval_every=0, n_test=4, width=32, heads=2, progress=False)
CASES = [
    ("cycle", "n", size(3), lambda v: cycle(v)),
    ("grid", "rows", size(1), lambda v: grid(v, 3)),
    ("grid", "cols", size(1), lambda v: grid(3, v)),
    ("path_star", "d", size(1), lambda v: path_star(v, 5)),
    ("path_star", "l", size(2), lambda v: path_star(5, v)),
    ("tree_star", "d", size(1), lambda v: tree_star(v, 4)),
    ("tree_star", "l", size(2), lambda v: tree_star(4, v)),
    ("from_networkx", "G", st.one_of(not_an_int, st.just(nx.DiGraph([(0, 1)])), st.just(nx.empty_graph(0))),
     lambda v: from_networkx(v)),
    ("train_node2vec", "dim", size(1), lambda v: train_node2vec(G, dim=v, steps=1)),
    ("train_node2vec", "row_batch", count(1), lambda v: train_node2vec(G, row_batch=v, steps=1)),
    ("train_node2vec", "lr", rate(), lambda v: train_node2vec(G, lr=v, steps=1)),
    ("train_node2vec", "steps", count(0), lambda v: train_node2vec(G, steps=v)),
    ("ModelConfig", "width", size(1), lambda v: build_model(ModelConfig(vocab_size=20, width=v, heads=1))),
    ("ModelConfig", "depth", size(1), lambda v: build_model(ModelConfig(vocab_size=20, depth=v))),
    ("ModelConfig", "vocab_size", size(1), lambda v: build_model(ModelConfig(vocab_size=v))),
    *[("run_path_star", p, bad, (lambda p: lambda v: run_path_star(**{**SMALL_PATH, p: v}))(p)) for p, bad in [
        ("d", size(1)), ("l", size(2)), ("width", size(1)), ("depth", size(1)), ("heads", size(1)),
        ("n_pause", st.one_of(not_an_int, st.integers(max_value=-1), huge)), ("steps", count(1)),
        ("lr", rate()), ("batch_size", count(0)), ("dropout", fraction()),
        ("train_fraction", fraction()), ("emb_init_std", rate()), ("weight_decay", rate(False)),
        ("path_mode", not_one_of(PATH_MODES)), ("arch", not_one_of(ARCHS)), ("seed", count(0))]],
    *[("run_in_context", p, bad, (lambda p: lambda v: run_in_context(**{**SMALL_IN_CONTEXT, p: v}))(p)) for p, bad in [
        ("d", size(1)), ("l", size(2)), ("n_labels", size(1)), ("width", size(1)), ("steps", count(1)),
        ("lr", rate()), ("n_test", count(1))]],
    *[("run_tiny", p, bad, (lambda p: lambda v: run_tiny(G, **{"steps": 1, p: v}))(p)) for p, bad in [
        ("width", size(1)), ("steps", count(1)), ("lr", rate()), ("emb_init_std", rate()),
        ("memorizer", not_one_of(tuple(MEMORIZERS)))]],
    ("variant", "w_init", not_one_of(W_INITS), lambda v: variant(G, w_init=v, steps=1)),
    ("from_authors_files", "prefix_or_dir", st.one_of(not_a_number, st.just("/nonexistent/star_x")),
     lambda v: from_authors_files(v)),
    ("from_authors_files", "stem", st.one_of(st.integers(), st.booleans(), st.sampled_from(["", "../x", "a b"])),
     lambda v: from_authors_files(".", stem=v)),
    ("export_authors_files", "task", st.one_of(not_a_number, st.just(path_star(3, 3))),
     lambda v: export_authors_files(v, "/nonexistent")),
    ("export_authors_files", "directory", st.one_of(st.none(), st.integers(), st.just("")),
     lambda v: export_authors_files(PathStarTask(path_star(4, 3)), v)),
    ("variant", "w_scale", rate(False).filter(lambda v: v is not None),   # None: the start's default scale
     lambda v: variant(G, w_scale=v, steps=1)),
]
IDS = [f"{name}-{param}" for name, param, _, _ in CASES]


def names(message: str, parameter: str) -> bool:
    return re.search(rf"(?<![A-Za-z_]){re.escape(parameter)}(?![A-Za-z_])", message) is not None


@pytest.mark.parametrize("name, parameter, bad, call", CASES, ids=IDS)
def test_invalid_value_gives_one_clear_error(name, parameter, bad, call, memory_limit):
    @FUZZ
    @given(value=bad)
    def check(value):
        with pytest.raises((ValueError, TypeError)) as err:
            call(value)
        assert names(str(err.value), parameter), f"{name}({parameter}={value!r}): {err.value}"

    check()


def test_the_memory_limit_catches_a_runaway_allocation(memory_limit):
    """Negative control: without the size check, the same huge request would fail inside the limit
    (MemoryError / RuntimeError), not kill the process — so the fuzz test above can fail."""
    import torch
    with pytest.raises((MemoryError, RuntimeError)):
        torch.empty(2**40, dtype=torch.uint8).fill_(0)
