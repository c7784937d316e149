"""The code is formatted and linted with ruff, as CI would check it; the core's imports are what the README says;
nothing seeds or wipes process-wide state."""

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=ROOT)


def test_ruff_check():
    done = run_ruff("check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
    done = run_ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------------------
# What designer/ imports, read from its syntax trees (a text search would miss ``from streamlit import x``).
# tests/test_imports.py checks at run time what the Design page loads; this checks every core module's source.
# ---------------------------------------------------------------------------------------------------------

PACKAGE = "designer"
# The modules the README calls pure ("How it is built"): importing them imports nothing heavy. The package's
# __init__ (run by every import of the package) and __main__ (``python -m designer``, the CLI) belong with them.
PURE = {"__init__", "__main__", "spec", "validation", "network", "params", "graph", "edits", "links", "presets"}
PURE |= {"cli", "workers", "neurons", "weights", "kinds", "constraints", "derived", "parsing", "optimizers"}
PURE |= {"runs", "cost", "tf_runtime"}
HEAVY = {"tensorflow", "keras", "sklearn"}  # what a pure module may import only inside a function, lazily


@dataclass(frozen=True)
class Import:
    """One import statement (or ``importlib.import_module("x")`` call) of a module."""

    names: tuple[str, ...]  # the dotted names it may import: ``from a import b`` imports ``a``, maybe ``a.b``
    line: int
    eager: bool  # run when the module is imported (not inside a function, nor under ``if TYPE_CHECKING``)
    code: str

    @property
    def packages(self) -> set[str]:
        """The top-level packages it imports (``keras`` for ``from keras.layers import Dense``)."""
        return {name.split(".")[0] for name in self.names}


IMPORT_CALLS = ("importlib.import_module", "__import__")


def literal_name(args: list[ast.expr]) -> bool:
    return bool(args) and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)


def imports_of(source: str, module: str) -> list[Import]:
    """Every import in ``source``, the source of ``module`` (``designer.cli``; a package's is ``designer.__init__``).

    Relative imports are resolved; ``importlib.import_module`` and ``__import__`` count when given a literal name.
    """
    package = module.removesuffix(".__init__") if module.endswith(".__init__") else module.rpartition(".")[0]
    found: list[Import] = []

    def add(names: list[str], node: ast.AST, eager: bool) -> None:
        found.append(Import(tuple(names), node.lineno, eager, ast.unparse(node)))

    def visit(node: ast.AST, eager: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            eager = False  # runs when called, not when the module is imported
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, eager)
            return
        if isinstance(node, ast.Import):
            add([alias.name for alias in node.names], node, eager)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            add([base, *(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")], node, eager)
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in IMPORT_CALLS and literal_name(node.args):
            add([node.args[0].value], node, eager)
        for child in ast.iter_child_nodes(node):
            visit(child, eager)

    visit(ast.parse(source), eager=True)
    return found


def import_problems(sources: dict[str, str], pure: set[str]) -> list[str]:
    """What is wrong with the imports of a package given as ``{module: source}`` (``designer.spec``, ...).

    Any import of Streamlit (``streamlit``, its submodules, ``streamlit_*`` packages) anywhere, even in a
    function; and, for each module whose last name is in ``pure``, an eager import of a HEAVY package,
    by the module itself or by any module of the package that it imports eagerly, however indirectly.
    """
    found = {module: imports_of(source, module) for module, source in sources.items()}

    def local(name: str) -> str | None:
        """The module of ``sources`` that importing ``name`` runs (a package runs its ``__init__``)."""
        return next((m for m in (name, f"{name}.__init__") if m in sources), None)

    def runs(module: str, imp: Import) -> list[str]:
        """The modules of ``sources`` an import runs: each one named, and the packages above it."""
        names = [".".join(n.split(".")[:k]) for n in imp.names for k in range(1, n.count(".") + 2)]
        return [m for m in map(local, names) if m is not None and m != module]

    problems = [
        f"{module}:{imp.line}: {imp.code}"
        for module, imports in found.items()
        for imp in imports
        if any(package.startswith("streamlit") for package in imp.packages)
    ]
    for start in sorted(m for m in sources if m.rpartition(".")[2] in pure):
        paths, stack = {start: start}, [start]  # each module reached, and how
        while stack:
            module = stack.pop()
            name = module.removesuffix(".__init__")
            packages = [local(name.rpartition(".")[0])] if "." in name else []  # run before the module itself
            for imp in found[module]:
                if imp.eager and imp.packages & HEAVY:
                    problems.append(f"{start} imports {imp.names[0]} ({paths[module]}:{imp.line}: {imp.code})")
            for reached in packages + [m for imp in found[module] if imp.eager for m in runs(module, imp)]:
                if reached is not None and reached not in paths:
                    paths[reached] = f"{paths[module]} -> {reached}"
                    stack.append(reached)
    return problems


def package_sources(folder: Path, package: str) -> dict[str, str]:
    return {f"{package}.{path.stem}": path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.py"))}


def test_core_never_imports_streamlit_nor_eagerly_anything_heavy():
    sources = package_sources(ROOT / PACKAGE, PACKAGE)
    assert {f"{PACKAGE}.{name}" for name in PURE} <= set(sources), "a module the README calls pure is missing"
    assert import_problems(sources, PURE) == []


STREAMLIT_SOURCES = [
    "import streamlit",
    "import streamlit as st",
    "from streamlit import session_state",
    "from streamlit import session_state as state",
    "import streamlit.components.v1 as components",
    "from streamlit.runtime import exists",
    "import os, streamlit",
    "from streamlit_extras import badges",
    "def show():\n    from streamlit import markdown\n    markdown('hi')",
    "try:\n    import streamlit\nexcept ImportError:\n    pass",
    "import importlib\nst = importlib.import_module('streamlit')",
]


@pytest.mark.parametrize("source", STREAMLIT_SOURCES)
def test_the_checker_sees_every_way_of_importing_streamlit(source):
    """Also the ``from streamlit import x`` that a search for ``import streamlit`` misses."""
    problems = import_problems({"designer.spec": source}, PURE)
    assert len(problems) == 1 and problems[0].startswith("designer.spec:"), problems


@pytest.mark.parametrize(
    "source",
    [
        "import tensorflow as tf",
        "from keras import layers",
        "import keras.ops",
        "from sklearn.datasets import load_iris",
        "class Model:\n    import keras",
        "if True:\n    import tensorflow",
        "from designer import training",
        "from designer.training import Trainer",
        "from . import training",
        "from .training import Trainer",
        "import designer.training",
    ],
)
def test_the_checker_sees_a_pure_module_importing_something_heavy(source):
    """Directly, or through a module of the package that imports it (``training`` -> ``data`` -> sklearn)."""
    sources = {
        "designer.__init__": '"""The package."""',
        "designer.spec": source,
        "designer.training": "import math\nfrom designer import data",
        "designer.data": "from sklearn.datasets import load_iris",
    }
    [problem] = import_problems(sources, {"spec"})
    assert re.match(r"designer\.spec imports (tensorflow|keras|sklearn)\b", problem), problem


@pytest.mark.parametrize(
    "source",
    [
        "def build():\n    import keras\n    return keras",
        "async def build():\n    from tensorflow import constant",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import keras",
        "def train():\n    from designer import training",
        "model = 'import keras'",
        "from designer import network",
    ],
)
def test_the_checker_lets_a_pure_module_import_heavy_things_lazily(source):
    sources = {"designer.spec": source, "designer.network": "import json", "designer.training": "import keras"}
    assert import_problems(sources, {"spec"}) == []


def test_the_checker_follows_the_package_init():
    """Importing any module of a package runs its __init__: a heavy __init__ makes every module heavy."""
    sources = {"designer.__init__": "import keras", "designer.spec": "import json"}
    assert import_problems(sources, {"spec"}) == [
        "designer.spec imports keras (designer.spec -> designer.__init__:1: import keras)"
    ]


def test_sessions_stay_isolated():
    """No call that wipes or seeds Keras for every session, and no model cached across sessions.

    The source is parsed, so text inside strings (an exported script may seed
    its own process) does not count.
    """
    sources = [*ROOT.glob("designer/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "streamlit_app.py"]
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}"
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and _shared_state(node)
    ]
    assert offenders == []


def _shared_state(node: ast.Attribute) -> bool:
    """``x.clear_session``, ``x.set_random_seed``, ``x.set_seed``, ``random.seed``, ``st.cache_resource``."""
    if node.attr in {"clear_session", "set_random_seed", "set_seed", "cache_resource"}:
        return True
    owner = node.value
    return node.attr == "seed" and getattr(owner, "attr", getattr(owner, "id", None)) == "random"
