"""The package's modules import one way (README "The package"): a module never imports a later one."""
import ast
import re
from pathlib import Path

import geomem_utils

PKG = Path(geomem_utils.__file__).parent


def test_imports_run_one_way():
    order = [m.strip() for m in re.search(r"Modules import one way:\s*(.*?)\.\n", geomem_utils.__doc__, re.S)
             .group(1).replace("\n", " ").split("->")]
    assert sorted(order) == sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")
    for module in order:
        tree = ast.parse((PKG / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                assert order.index(node.module) < order.index(module), f"{module} imports later {node.module}"
