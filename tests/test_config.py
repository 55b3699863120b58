"""config.py: one seed for everything, quick mode, parameter checks that name the parameter."""
import random

import numpy as np
import pytest
import torch

from geomem_utils.config import (QUICK_ENV, check_choice, check_float, check_int, pick, quick_mode,
                                 set_seed)


def _draw(seed):
    rng = set_seed(seed)
    return (random.random(), float(np.random.rand()), float(torch.rand(1)), float(rng.random()))


def test_set_seed_reproduces_python_numpy_torch_and_generator():
    a, b = _draw(123), _draw(123)
    assert a == b
    c = _draw(124)
    # every one of the four sources changes with the seed
    assert all(x != y for x, y in zip(a, c))


def test_set_seed_returns_generator_seeded_like_default_rng():
    rng = set_seed(7)
    assert isinstance(rng, np.random.Generator)
    assert rng.integers(10**9) == np.random.default_rng(7).integers(10**9)


def test_set_seed_accepts_seeds_beyond_32_bits():
    assert _draw(2**40 + 3) == _draw(2**40 + 3)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None])
def test_set_seed_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        set_seed(bad)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", " on ", "Yes"])
def test_quick_mode_on(monkeypatch, value):
    monkeypatch.setenv(QUICK_ENV, value)
    assert quick_mode() is True
    assert pick("quick", "full") == "quick"


@pytest.mark.parametrize("value", ["0", "", "false", "no", "off", "2", "quick"])
def test_quick_mode_off(monkeypatch, value):
    monkeypatch.setenv(QUICK_ENV, value)
    assert quick_mode() is False
    assert pick("quick", "full") == "full"


def test_quick_mode_unset(monkeypatch):
    monkeypatch.delenv(QUICK_ENV, raising=False)
    assert quick_mode() is False
    assert pick(1, 2) == 2


def test_check_int_returns_python_int():
    out = check_int("width", np.int64(5), minimum=1)
    assert out == 5 and type(out) is int


@pytest.mark.parametrize("bad", [3.0, 2.5, True, False, "3", None, np.float64(2.0), [1]])
def test_check_int_rejects_non_integers_naming_parameter(bad):
    with pytest.raises(ValueError, match=r"^my_param must be an integer"):
        check_int("my_param", bad)


def test_check_int_bounds_name_parameter():
    with pytest.raises(ValueError, match=r"my_param must be >= 2, got 1"):
        check_int("my_param", 1, minimum=2)
    with pytest.raises(ValueError, match=r"my_param must be <= 9, got 10"):
        check_int("my_param", 10, maximum=9)
    assert check_int("my_param", 2, minimum=2, maximum=2) == 2


def test_check_float_returns_float_and_accepts_ints():
    out = check_float("rate", 3, minimum=0.0)
    assert out == 3.0 and type(out) is float


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), True, "0.1", None, [0.1]])
def test_check_float_rejects_non_finite_or_non_numbers(bad):
    with pytest.raises(ValueError, match=r"^rate must be a finite number"):
        check_float("rate", bad)


def test_check_float_bounds_name_parameter():
    with pytest.raises(ValueError, match=r"rate must be >= 0"):
        check_float("rate", -0.1, minimum=0.0)
    with pytest.raises(ValueError, match=r"rate must be > 0"):
        check_float("rate", 0.0, minimum=0.0, strict_min=True)
    with pytest.raises(ValueError, match=r"rate must be <= 1"):
        check_float("rate", 1.5, maximum=1.0)
    assert check_float("rate", 0.0, minimum=0.0) == 0.0


def test_check_choice():
    assert check_choice("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"mode must be one of \['a', 'b'\], got 'c'"):
        check_choice("mode", "c", ("b", "a"))
