"""regtui and its tests use only the public API of their dependencies: no private module, name or member.

A private name is one with a leading underscore (dunders and enum-style `_sunder_` names are public protocol).
Three scans, each over regtui/ and tests/: imports of private modules or names from outside the project, project
classes overriding a private member of a dependency's class, and `obj._name` uses of a private member that the
project never defines (so it must belong to a dependency). A fourth: no process-wide interpreter tuning.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import regtui

ROOT = Path(__file__).resolve().parents[1]
SCANNED = (ROOT / "regtui", ROOT / "tests")
ATTRIBUTE_CALLS = frozenset({"getattr", "setattr", "hasattr", "delattr"})
"""Calls whose second argument names an attribute (also as methods: pytest's `monkeypatch.setattr`)."""
NAMED_TUPLE_API = frozenset({"_replace", "_asdict", "_make", "_fields", "_field_defaults"})
"""Named tuples' documented members (urllib.parse's results are named tuples): public despite the underscore."""


@dataclass(frozen=True)
class Violation:
    """One use of a dependency's private name: where, and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


INTERPRETER_TUNING = frozenset(
    {"gc.freeze", "gc.set_threshold", "gc.disable", "sys.setrecursionlimit", "sys.setswitchinterval"}
)
"""Calls that change the whole interpreter's behaviour (and so the test process's too)."""


def is_private(name: str) -> bool:
    """A leading underscore, but neither a dunder (`__init__`) nor an enum-style sunder (`_missing_`)."""
    return name.startswith("_") and not name.endswith("_")


def source_files() -> list[Path]:
    """Every Python file of regtui/ and tests/."""
    return sorted(path for folder in SCANNED for path in folder.rglob("*.py") if ".venv" not in path.parts)


def local_top_names() -> frozenset[str]:
    """Top-level module names that are the project's own: regtui, tests, and the test folders' scripts."""
    names = {"regtui", "tests"}
    for folder in (ROOT / "tests", *(p for p in (ROOT / "tests").rglob("*") if p.is_dir())):
        names.update(path.stem for path in folder.glob("*.py"))
    return frozenset(names)


def private_imports(tree: ast.AST, where: str, local: frozenset[str]) -> Iterator[Violation]:
    """Imports of a dependency's module path with a private component, and `from dependency import _name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            names: list[str] = []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            names = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            if module.split(".")[0] in local:
                continue
            if any(is_private(part) for part in module.split(".")):
                yield Violation(f"{where}:{node.lineno}", f"imports private module {module}")
            for name in names:
                if is_private(name):
                    yield Violation(f"{where}:{node.lineno}", f"imports private name {name} from {module}")


def defined_private_names(trees: Iterable[ast.AST]) -> frozenset[str]:
    """Private names the project defines: functions, classes, module or class attributes, and attributes an object
    sets on itself (`self._name = ...`); setting another object's (`app._name = ...`) defines nothing."""
    names: set[str] = set(NAMED_TUPLE_API)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"self", "cls"}
            ):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[-1])
    return frozenset(name for name in names if is_private(name))


def attribute_name(node: ast.AST) -> str | None:
    """The attribute a node reads: `obj._name`, or the string given to getattr/setattr/hasattr/delattr."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        name = node.args[1]
        if called in ATTRIBUTE_CALLS and isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value
    return None


def foreign_private_attributes(tree: ast.AST, where: str, defined: frozenset[str]) -> Iterator[Violation]:
    """Private attributes used that the project never defines: they can only be a dependency's."""
    for node in ast.walk(tree):
        name = attribute_name(node)
        if name is not None and is_private(name) and name not in defined:
            yield Violation(f"{where}:{node.lineno}", f"uses a dependency's private member {name}")


def class_bodies(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.ClassDef]]:
    """Every class statement of a module, with its qualified name (classes inside classes too)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef):
            qualname = f"{prefix}{node.name}"
            yield qualname, node
            yield from class_bodies(node, f"{qualname}.")


def own_names(node: ast.ClassDef) -> set[str]:
    """The names a class statement defines in its body: methods, nested classes, class attributes."""
    names: set[str] = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(target.id for target in statement.targets if isinstance(target, ast.Name))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
    return names


def private_overrides(
    cls: type, names: Iterable[str], where: str, local: frozenset[str] = frozenset({"regtui", "tests"})
) -> Iterator[Violation]:
    """A class's own private names that a class of a dependency among its bases also defines."""
    foreign = [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] not in local]
    for name in sorted(names):
        if not is_private(name) or name not in vars(cls):
            continue
        for base in foreign:
            if name in vars(base):
                yield Violation(where, f"{cls.__qualname__}.{name} overrides {base.__module__}.{base.__qualname__}")
                break


def project_modules() -> list[str]:
    """Every module of the regtui package (but its `python -m` entry point) and of the tests package."""
    names = [info.name for info in pkgutil.walk_packages(regtui.__path__, "regtui.") if info.name != "regtui.__main__"]
    tests = ROOT / "tests"
    names += [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in sorted(tests.rglob("*.py"))
        if (path.parent / "__init__.py").exists() and path.name != "__init__.py"
    ]
    return names


def parsed(path: Path) -> ast.Module:
    """A source file's syntax tree."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def relative(path: Path) -> str:
    """A path as the report names it."""
    return str(path.relative_to(ROOT))


def test_no_private_module_or_name_is_imported() -> None:
    """No import of a dependency's private module path, nor a private name from a dependency."""
    files = source_files()
    local = local_top_names()
    assert len(files) > 100, "the scan must see the project's sources"
    found = [v for path in files for v in private_imports(parsed(path), relative(path), local)]
    assert not found, "\n".join(map(str, found))


def test_no_project_class_overrides_a_private_member_of_a_dependency() -> None:
    """No class in regtui or the tests defines a private name that one of its dependency base classes defines."""
    checked = 0
    found: list[Violation] = []
    for module_name in project_modules():
        module = importlib.import_module(module_name)
        path = inspect.getsourcefile(module)
        assert path is not None
        for qualname, node in class_bodies(parsed(Path(path))):
            cls: object = module
            for part in qualname.split("."):
                cls = getattr(cls, part)
            assert isinstance(cls, type), qualname
            checked += 1
            found += private_overrides(cls, own_names(node), f"{module_name}:{node.lineno}")
    assert checked > 200, "the scan must see the project's classes"
    assert not found, "\n".join(map(str, found))


def test_no_private_member_of_a_dependency_is_used() -> None:
    """Every `obj._name` (and getattr/setattr of one) names a private member the project defines itself."""
    trees = {relative(path): parsed(path) for path in source_files()}
    defined = defined_private_names(trees.values())
    assert len(defined) > 100, "the scan must see the project's own private names"
    found = [v for where, tree in trees.items() for v in foreign_private_attributes(tree, where, defined)]
    assert not found, "\n".join(map(str, found))


def interpreter_tuning(tree: ast.AST, where: str) -> Iterator[Violation]:
    """Calls of INTERPRETER_TUNING (as `module.function`)."""
    for node in ast.walk(tree):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = f"{func.value.id}.{func.attr}"
            if name in INTERPRETER_TUNING:
                yield Violation(f"{where}:{node.lineno}", f"tunes the interpreter: {name}")


def test_nothing_tunes_the_interpreter() -> None:
    """No garbage-collector settings or recursion limits set for the whole process."""
    found = [v for path in source_files() for v in interpreter_tuning(parsed(path), relative(path))]
    assert not found, "\n".join(map(str, found))


def test_the_tuning_scan_finds_a_freeze() -> None:
    """gc.freeze() and gc.set_threshold(...) are reported; gc.collect() is not."""
    tree = ast.parse("import gc\ngc.freeze()\ngc.set_threshold(50_000, 10, 10)\ngc.collect()\n")
    assert [v.what for v in interpreter_tuning(tree, "snippet")] == [
        "tunes the interpreter: gc.freeze",
        "tunes the interpreter: gc.set_threshold",
    ]


PRIVATE_MODULE = "textual." + "_segment_tools"
"""A private module the scans must catch, spelled in two parts so that this file imports nothing private even to a
text search: the snippet below is only parsed, never run."""

VIOLATING_SNIPPET = f"""
import {PRIVATE_MODULE}
from {PRIVATE_MODULE} import line_pad
from textual.widgets import _tree
from regtui.tui import _own_helper
from . import _relative

def paint(self, widget, tree):
    widget._compositor.render_update(full=True)
    self._own = 1
    widget._display = None
    getattr(tree, "_tree_lines")
    monkeypatch.setattr(Tree, "_invalidate", None)
    return widget._own, self.url._replace(path="")
"""


def test_the_import_scan_finds_private_imports_of_a_dependency() -> None:
    """The import scan reports a private module path and a private name from a dependency, not the project's own."""
    found = sorted(v.what for v in private_imports(ast.parse(VIOLATING_SNIPPET), "snippet", frozenset({"regtui"})))
    assert found == [
        "imports private module textual._segment_tools",
        "imports private module textual._segment_tools",
        "imports private name _tree from textual.widgets",
    ]


def test_the_member_scan_finds_private_members_the_project_does_not_define() -> None:
    """`widget._compositor`, setting `widget._display`, getattr(..., "_tree_lines") and monkeypatching `_invalidate`
    are reported; `_own`, which the snippet sets on itself, and a named tuple's `_replace` are not."""
    tree = ast.parse(VIOLATING_SNIPPET)
    defined = defined_private_names([tree])
    found = sorted(v.what for v in foreign_private_attributes(tree, "snippet", defined))
    assert found == [
        "uses a dependency's private member _compositor",
        "uses a dependency's private member _display",
        "uses a dependency's private member _invalidate",
        "uses a dependency's private member _tree_lines",
    ]


def test_the_override_scan_finds_an_override_of_a_private_member() -> None:
    """A subclass that defines a private method its dependency base also defines is reported; a new private
    method, a public override and a dunder are not."""
    pytest.importorskip("textual")
    source = """
from textual.widgets import Tree

class Overriding(Tree):
    def _invalidate(self):
        pass
    def _brand_new(self):
        pass
    def render_line(self, y):
        pass
    def __repr__(self):
        return ""
"""
    namespace: dict[str, object] = {"__name__": "snippet"}
    exec(compile(source, "snippet", "exec"), namespace)
    cls = namespace["Overriding"]
    assert isinstance(cls, type)
    node = next(node for _name, node in class_bodies(ast.parse(source)))
    found = [v.what for v in private_overrides(cls, own_names(node), "snippet", local=frozenset({"snippet"}))]
    assert len(found) == 1 and found[0].startswith("Overriding._invalidate overrides textual.")


def test_names_a_scan_treats_as_private() -> None:
    """Leading underscore is private; dunders and sunders are protocol."""
    assert is_private("_compositor") and is_private("__mangled")
    assert not is_private("__init__") and not is_private("_missing_") and not is_private("render_line")
