"""The package's modules import one way (README "The package"): a module never imports a later one."""
import ast
import re
from pathlib import Path

import geomem_utils

PKG = Path(geomem_utils.__file__).parent


def _order() -> list[str]:
    text = re.search(r"Modules import one way:\s*(.*?)\.\n", geomem_utils.__doc__, re.S).group(1)
    return [m.strip() for m in text.replace("\n", " ").split("->")]


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(PKG).with_suffix("").parts)


def _imports(module: str):
    """Package-internal modules that ``module`` imports (relative imports resolved)."""
    path = PKG.joinpath(*module.split(".")).with_suffix(".py")
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            if target in ("", "experiments"):  # a package's __init__: the names imported are modules or re-exports
                for alias in node.names:
                    name = ".".join(filter(None, [target, alias.name]))
                    yield name
            else:
                yield target


def test_every_module_is_in_the_order():
    modules = [_module_of(p) for p in PKG.rglob("*.py") if p.stem != "__init__"]
    assert sorted(_order()) == sorted(modules)


def test_imports_run_one_way():
    order = _order()
    for module in order:
        for target in _imports(module):
            if target in order:
                assert order.index(target) < order.index(module), f"{module} imports later {target}"


def test_the_check_catches_a_backward_import(tmp_path, monkeypatch):
    """Negative control: a measures module that imports the trainer is reported."""
    order = _order()
    assert order.index("train") > order.index("geometry")
    assert "train" in set(_imports("cache")) and order.index("cache") > order.index("train")
