"""Apps import one way, ``learning`` <- ``tutor`` <- ``annotation`` <- ``lti``, and no function-level import hides a cycle.

Every module of the three apps is read with ``ast`` (nothing is imported): module-level and function-level
imports, ``import x`` and ``from x import y``, relative imports resolved against the module's package.

Migrations are included: they are shipped code that runs in production, so they must not reach upward either.
The apps' own ``tests/`` packages are left out: they exercise the assembled project (a tutor socket test that
checks a teacher's correction arrives drives annotation's review service), which is the point of an
integration test, not a dependency of the shipped code.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each may import only the apps before it. lti (LTI 1.3 launches from learning platforms) sits on top: it enrols
# in learning's courses and lands on tutor's and annotation's pages, and nothing below knows it exists.
LAYERS = ("learning", "tutor", "annotation", "lti")
BENCH = "bench"  # above every app: only the benchmark commands, thin wrappers, may import it
# Pure algorithm modules: plain functions and dataclasses, no Django and no app's models or services.
PURE = ("learning.knowledge", "learning.solving", "learning.answer_guard", "learning.grading", "learning.passages", "learning.sentences", "learning.support",
        "learning.retrieval", "learning.heatmap", "learning.privacy.anonymising", "annotation.router",
        "tutor.safeguarding", "annotation.training.lora", "annotation.training.config", "tutor.engine", "tutor.experiments",
        "lti.keys", "lti.roles", "lti.claims")
PURE_EXCEPTIONS = {"tutor.engine"}  # the package's factory reads settings; its modules stay pure


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (or package)
    path: Path
    line: int
    in_function: bool

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    found = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" not in path.relative_to(ROOT).parts:
                found[module_name(path)] = path
    return found


class _ImportReader(ast.NodeVisitor):
    def __init__(self, module: str, path: Path, known: dict[str, Path]):
        self.module, self.path, self.known = module, path, known
        self.package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        self.function_depth = 0
        self.imports: list[Import] = []

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self.function_depth += 1
        self.generic_visit(node)
        self.function_depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"  # `from tutor import errors` imports the module tutor.errors
            self._add(submodule if submodule in self.known else base, node)

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self.package.split(".")
        package = package[: len(package) - (node.level - 1)]
        return ".".join(package + ([node.module] if node.module else []))

    def _add(self, target: str, node: ast.stmt) -> None:
        if target.split(".")[0] in (*LAYERS, BENCH, "django", "channels"):
            self.imports.append(Import(self.module, target, self.path, node.lineno, self.function_depth > 0))


def all_imports() -> list[Import]:
    known = app_modules()
    imports = []
    for module, path in known.items():
        reader = _ImportReader(module, path, known)
        reader.visit(ast.parse(path.read_text(), filename=str(path)))
        imports.extend(reader.imports)
    return imports


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def app_imports(imports: list[Import]) -> list[Import]:
    return [i for i in imports if i.target.split(".")[0] in LAYERS]


def upward_imports(imports: list[Import]) -> list[Import]:
    return [i for i in app_imports(imports) if layer(i.target) > layer(i.source)]


def bench_imports(imports: list[Import]) -> list[Import]:
    """App modules importing the benchmarks, other than the management commands that wrap them."""
    return [i for i in imports if i.target.split(".")[0] == BENCH and ".management.commands." not in i.source]


def impure_imports(imports: list[Import]) -> list[Import]:
    """Pure modules importing Django, Channels, or an app module that is not itself pure."""
    def pure(module: str) -> bool:
        return any(module == p or module.startswith(p + ".") for p in PURE) and module not in PURE_EXCEPTIONS

    return [i for i in imports if pure(i.source) and (i.target.split(".")[0] in ("django", "channels", BENCH)
                                                       or (i.target.split(".")[0] in LAYERS and not pure(i.target)))]


def hidden_cycles(imports: list[Import]) -> list[tuple[Import, list[str]]]:
    """Function-level imports A -> B where B already leads back to A: moved to the top, they would be a cycle."""
    graph: dict[str, set[str]] = {}
    for i in app_imports(imports):
        graph.setdefault(i.source, set()).add(i.target)
    found = []
    for i in app_imports(imports):
        if i.in_function and i.source != i.target:
            path = _path(graph, i.target, i.source)
            if path:
                found.append((i, path))
    return found


def _path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A shortest import chain from ``start`` to ``goal``, or None."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph.get(module, ())):
                if target in previous:
                    continue
                previous[target] = module
                if target == goal:
                    chain = [goal]
                    while previous[chain[-1]] is not None:
                        chain.append(previous[chain[-1]])
                    return chain[::-1]
                following.append(target)
        frontier = following
    return None


def test_the_reader_sees_every_kind_of_import():
    """Guards the guard: a reader that missed function-level or relative imports would pass anything."""
    imports = all_imports()
    kinds = {(i.in_function, i.target.startswith(i.source.rpartition(".")[0])) for i in imports}
    assert (True, True) in kinds and (False, True) in kinds
    assert any(i.source.startswith("annotation") and i.target.startswith("tutor") for i in imports)


def test_relative_imports_resolve_against_the_package(tmp_path):
    code = "from . import sibling\nfrom ..engine import types\ndef f():\n    import learning.models\n"
    reader = _ImportReader("tutor.engine.fake", ROOT / "tutor/engine/fake.py",
                           {"tutor.engine.sibling": Path(), "tutor.engine": Path()})
    reader.visit(ast.parse(code))
    assert [(i.target, i.in_function) for i in app_imports(reader.imports)] == [
        ("tutor.engine.sibling", False), ("tutor.engine", False), ("learning.models", True),
    ]


def test_apps_import_only_downward():
    lines = {f"  {i.where()}: {i.source} imports {i.target}" for i in upward_imports(all_imports())}
    assert not lines, "Imports against learning <- tutor <- annotation <- lti:\n" + "\n".join(sorted(lines))


def test_no_function_level_import_hides_a_cycle():
    lines = {f"  {i.where()}: {i.source} imports {i.target} inside a function, and {' -> '.join(path)} leads back"
             for i, path in hidden_cycles(all_imports())}
    assert not lines, "Cycles hidden by function-level imports:\n" + "\n".join(sorted(lines))


def test_only_the_benchmark_commands_import_bench():
    lines = {f"  {i.where()}: {i.source} imports {i.target}" for i in bench_imports(all_imports())}
    assert not lines, "App code importing the benchmarks (only management commands may):\n" + "\n".join(sorted(lines))


def test_pure_modules_import_no_django_and_no_app_services():
    lines = {f"  {i.where()}: {i.source} imports {i.target}" for i in impure_imports(all_imports())}
    assert not lines, "Imports that make a pure module impure:\n" + "\n".join(sorted(lines))


def test_the_purity_guard_sees_a_django_import():
    reader = _ImportReader("learning.solving.solver", ROOT / "learning/solving/solver.py", {})
    reader.visit(ast.parse("from django.conf import settings\nfrom learning.models import Course\n"))
    assert [i.target for i in impure_imports(reader.imports)] == ["django.conf", "learning.models"]
