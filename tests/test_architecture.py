"""The package's shape, read from its source: no import circles; one home per metadata key,
constant, stage name and the details body's name; no entity type named by the general packages;
nothing in the wheel that only tests use.

The import graph is built from the AST of every module under ``src/``: imports at the top of a
module, inside functions and under ``TYPE_CHECKING`` alike, ``from . import x`` resolved to the
module ``x`` when it is one, ``importlib.import_module("...")`` with a literal name and a lazy
``("module", "attribute")`` pair (the CLI's commands, imported by name when asked for). Importing
``a.b.c`` runs the ``__init__`` of ``a.b`` first, so it counts as importing that package too
(unless the importer is inside it: its package is loaded before it). A circle between modules,
or between sub-packages (``plan``, ``store``, ...; a module directly under ``tmdb_collector``
counts as its own), fails with the circle spelled out, each step with the file and line of the
import that makes it.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "tmdb_collector"

Graph = Mapping[str, Mapping[str, str]]  # module -> imported module -> "file:line"


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module under src/: dotted name -> (file, is a package's __init__)."""
    found = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def _imported(node: ast.Import | ast.ImportFrom, package: str, known: set[str]) -> Iterator[str]:
    """The modules of ours that ``node`` imports: a name imported from a package counts as
    its submodule when it is one, else as the package."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        names = [f"{base}.{alias.name}" for alias in node.names]
        names = [name if name in known else base for name in names]
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            yield name


def _imported_by_name(node: ast.Call, known: set[str]) -> Iterator[str]:
    """``importlib.import_module("tmdb_collector.x")``: the module it names, when ours."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if called == "import_module" and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and first.value in known:
            yield first.value


def _imported_by_pair(node: ast.Tuple, known: set[str]) -> Iterator[str]:
    """``("tmdb_collector.cli.collect", "collect")``: a lazy (module, attribute) reference, as
    cli/app.py's commands are, imported by name later (cli/lazy.py)."""
    first = node.elts[0] if len(node.elts) == 2 else None
    if isinstance(first, ast.Constant) and first.value in known:
        yield first.value


def _with_packages(target: str, importer: str, packages: set[str]) -> Iterator[str]:
    """``target`` and the packages above it whose ``__init__`` importing it runs first (not
    the importer's own: they are loaded before it)."""
    parts = target.split(".")
    for end in range(2, len(parts)):
        package = ".".join(parts[:end])
        if package in packages and not (importer + ".").startswith(package + "."):
            yield package
    yield target


def import_graph() -> dict[str, dict[str, str]]:
    modules = _modules()
    known = set(modules)
    packages = {name for name, (_, is_package) in modules.items() if is_package}
    graph: dict[str, dict[str, str]] = {name: {} for name in modules}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                targets = _imported(node, package, known)
            elif isinstance(node, ast.Call):
                targets = _imported_by_name(node, known)
            elif isinstance(node, ast.Tuple):
                targets = _imported_by_pair(node, known)
            else:
                continue
            for target in targets:
                for step in _with_packages(target, name, packages):
                    if step != name:
                        where = f"{path.relative_to(SRC.parent)}:{node.lineno}"
                        graph[name].setdefault(step, where)
    return graph


def package_graph(graph: Graph) -> dict[str, dict[str, str]]:
    """Modules folded into their sub-package (``tmdb_collector.plan``); edges inside one dropped."""

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    folded: dict[str, dict[str, str]] = {}
    for source, targets in graph.items():
        for target, where in targets.items():
            if package(source) != package(target):
                edge = f"{where} ({source} -> {target})"
                folded.setdefault(package(source), {}).setdefault(package(target), edge)
    return folded


def knots(graph: Graph) -> list[set[str]]:
    """The strongly connected groups of more than one node (Tarjan): each holds a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def cycles(graph: Graph) -> list[list[str]]:
    """One circle through each knot."""
    return [_circle(graph, group) for group in knots(graph)]


def _circle(graph: Graph, group: set[str]) -> list[str]:
    """A shortest path from the group's first member back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph.get(node, {})):
                if nxt == start:
                    return [*paths[node], start]
                if nxt in group and nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no circle through {start}")  # a strongly connected group has one


def _spelled(graph: Graph, circle: list[str]) -> str:
    steps = [f"  {a} -> {b}   [{graph[a][b]}]" for a, b in itertools.pairwise(circle)]
    return "\n".join(steps)


def _report(graph: Graph) -> str:
    """Each knot's members, and one circle through it step by step."""
    return "\n\n".join(
        f"{len(group)} caught in one knot: {', '.join(sorted(group))}\n"
        + _spelled(graph, _circle(graph, group))
        for group in knots(graph)
    )


def test_the_graph_sees_lazy_relative_and_type_checking_imports() -> None:
    graph = import_graph()
    assert "tmdb_collector.api" in graph[ROOT]  # function-level, from the package's __getattr__
    assert "tmdb_collector.cli.app" in graph["tmdb_collector.cli"]
    # importlib with a literal name, and the package whose __init__ an import runs first
    assert "tmdb_collector.export.tables" in graph["tmdb_collector.dashboard.server"]
    assert "tmdb_collector.cli.collect" in graph["tmdb_collector.cli.app"]  # a lazy command
    assert "tmdb_collector.simulator" in graph["tmdb_collector.demo"]  # via simulator.process
    assert "tmdb_collector.media" not in graph["tmdb_collector.media.movie"]
    assert cycles({"a": {"b": "x"}, "b": {"c": "y"}, "c": {"a": "z"}, "d": {"a": "w"}}) == [
        ["a", "b", "c", "a"]
    ]


def test_no_import_circle_between_modules() -> None:
    graph = import_graph()
    assert not knots(graph), "import circles between modules:\n" + _report(graph)


def test_no_import_circle_between_sub_packages() -> None:
    graph = package_graph(import_graph())
    assert not knots(graph), "import circles between sub-packages:\n" + _report(graph)


META_HOME = Path("src/tmdb_collector/store/meta_keys.py")
META_CALLS = {"meta", "set_meta", "_set_meta", "_stored_meta"}
SQL_META_KEY = re.compile(r"\bmeta\b.*(\bkey\s*=\s*'|VALUES\s*\(\s*')", re.IGNORECASE | re.DOTALL)


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for path, _ in _modules().values():
        yield str(path.relative_to(SRC.parent)), ast.parse(path.read_text(encoding="utf-8"))


def test_meta_keys_are_spelled_only_in_their_home() -> None:
    """A key of the ``meta`` table is named through store/meta_keys.py, never spelled: not
    as an argument of ``meta()`` / ``set_meta()`` and the like, not inside SQL."""
    spelled = []
    for where, tree in _sources():
        if Path(where) == META_HOME:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in META_CALLS:
                    spelled += [
                        f"{where}:{node.lineno} {name}({arg.value!r})"
                        for arg in node.args
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    ]
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_META_KEY.search(node.value)
            ):
                spelled.append(f"{where}:{node.lineno} {node.value!r}")
    assert not spelled, "meta keys spelled outside store/meta_keys.py:\n" + "\n".join(spelled)


def _constants(tree: ast.Module) -> Iterator[tuple[str, object, int]]:
    """Module-level ``NAME = <literal>`` assignments."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else ""
            if name.lstrip("_").isupper() and isinstance(value, ast.Constant):
                yield name, value.value, node.lineno


def test_no_constant_is_defined_in_two_modules() -> None:
    """The same name given the same value in two modules is one fact with two homes (TMDB's
    page size, its last page, the staging prefix, the logger's name...)."""
    homes: dict[tuple[str, object], list[str]] = {}
    for where, tree in _sources():
        for name, value, line in _constants(tree):
            homes.setdefault((name, value), []).append(f"{where}:{line}")
    twice = {f"{name} = {value!r}": at for (name, value), at in homes.items() if len(at) > 1}
    assert not twice, "constants with more than one home:\n" + "\n".join(
        f"  {fact}: {', '.join(at)}" for fact, at in twice.items()
    )


def test_only_the_cli_ends_the_process() -> None:
    """The library raises its errors; the CLI prints them and exits (a thin CLI over the API).
    ``sys.exit`` and ``click.echo`` belong to cli/ (and the package's ``__main__``)."""
    package = SRC / "tmdb_collector"
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "cli" or relative.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and (
                (node.attr == "exit" and _named(node.value, "sys"))
                or (node.attr == "echo" and _named(node.value, "click"))
            ):
                found.append(f"{relative}:{node.lineno}")
    assert found == []


def _named(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


STAGES_HOME = Path("src/tmdb_collector/plan/stages.py")


def _stage_names_spelled(sources: Iterator[tuple[str, ast.Module]]) -> list[str]:
    """A harvest stage's name as a literal, or any stage's as a literal key of ``stages``,
    outside plan/stages.py (the simulator serves TMDB's /popular and /discover: not ours)."""
    spelled = []
    for where, tree in sources:
        if Path(where) == STAGES_HOME or Path(where).parts[2] == "simulator":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in ("popular", "discover"):
                spelled.append(f"{where}:{node.lineno} {node.value!r}")
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "stages"
                and isinstance(node.slice, ast.Constant)
            ):
                spelled.append(f"{where}:{node.lineno} stages[{node.slice.value!r}]")
    return spelled


def test_stage_names_are_spelled_only_in_their_home() -> None:
    """The stages of a run (popular, discover, details, linked) are named through
    plan/stages.py: the progress, the store's queries, status and the CLI share them."""
    spelled = _stage_names_spelled(_sources())
    assert not spelled, "stage names spelled outside plan/stages.py:\n" + "\n".join(spelled)


DETAILS_HOMES = {
    "src/tmdb_collector/media/links.py": "DETAILS, the name of an item's own body",
    "src/tmdb_collector/plan/stages.py": "DETAILS_STAGE, the run's stage 3",
    "src/tmdb_collector/store/compaction.py": "the items table's column of that name (SQL)",
}


def _details_spelled(sources: Iterator[tuple[str, ast.Module]]) -> list[str]:
    """The literal ``"details"`` outside its homes and the simulator (TMDB's side)."""
    return [
        f"{where}:{node.lineno}"
        for where, tree in sources
        if where not in DETAILS_HOMES and Path(where).parts[2] != "simulator"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "details"
    ]


def test_the_details_body_is_named_only_in_its_home() -> None:
    """An item's own body is keyed ``"details"`` next to its parts (a fetch's bodies, the
    store's versions, a record's key): media/links.py's DETAILS names it everywhere."""
    spelled = _details_spelled(_sources())
    assert not spelled, '"details" spelled outside media/links.py:\n' + "\n".join(spelled)


# Called by Python itself, not by name: a protocol's methods.
CALLED_BY_PYTHON = {"find_spec"}


def _unused_definitions(src: Path) -> list[str]:
    """Functions, methods and classes of the package no module of it names (in code, in a
    string, in its static files or in pyproject.toml's entry points): dead, or test-only."""
    package = src / ROOT
    named: set[str] = set(CALLED_BY_PYTHON)
    defined = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                named.add(node.id)
            elif isinstance(node, ast.Attribute):
                named.add(node.attr)
            elif isinstance(node, ast.alias):
                named.add(node.name.rpartition(".")[2])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.update(re.findall(r"\w+", node.value))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                where = f"{path.relative_to(src.parent)}:{node.lineno} {node.name}"
                defined.append((node.name, where))
    for path in [*package.rglob("*.js"), *package.rglob("*.html"), src.parent / "pyproject.toml"]:
        named.update(re.findall(r"\w+", path.read_text(encoding="utf-8")))
    return [where for name, where in defined if name not in named and not name.startswith("__")]


def test_every_definition_is_used_by_the_package() -> None:
    """Code only tests call belongs under tests/ (tests/support), not in the wheel."""
    unused = _unused_definitions(SRC)
    assert not unused, "defined in the package, named by none of it:\n" + "\n".join(unused)


ENTITY_WORD = re.compile(r"(^|_)(movies?|series|tv|person|people)(_|$)", re.IGNORECASE)
GENERAL_PACKAGES = ("engine", "store", "export", "sync", "dashboard")
NAMED_ENTITY = {
    "src/tmdb_collector/engine/collector.py": {"movies"},  # RunOutcome.collected's first name
    # Its fast paths movie_details and person_credits (the builders media/movie.py's and
    # media/person.py's facts name by key) belong with media/'s facts: a move not made yet.
    "src/tmdb_collector/export/columnar.py": {"*"},
}


def _entity_names(sources: Iterator[tuple[str, ast.Module]]) -> list[str]:
    """Names (functions, classes, arguments, variables, attributes) in the general packages
    that say movie, series, TV or person: code there serves every media type."""
    found = []
    for where, tree in sources:
        if Path(where).parts[2] not in GENERAL_PACKAGES:
            continue
        allowed = NAMED_ENTITY.get(where, set())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Name):
                name = node.id
            elif isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.arg | ast.keyword):
                name = node.arg or ""
            else:
                continue
            if ENTITY_WORD.search(name) and not allowed & {name, "*"}:
                found.append(f"{where}:{node.lineno} {name}")
    return found


def test_general_packages_name_no_entity_type() -> None:
    """An entity type is a set of facts in media/: engine/, store/, export/, sync/ and
    dashboard/ serve them all, and their names say so (an item, a record, a title)."""
    found = _entity_names(_sources())
    assert not found, "entity types named outside media/:\n" + "\n".join(found)
