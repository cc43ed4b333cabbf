"""The layout keeps itself: no module of the app imports one that imports it back.

A cycle loads only when something happens to import one side first (the tasks
and the reminder sweep once did), so it is found here, from the source, rather
than by an import error in production. Imports inside functions count too;
those only the type checker reads (`if TYPE_CHECKING:`) do not.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(tree: ast.AST):
    """Every import statement that runs, at any depth: those under `if TYPE_CHECKING:`
    are only read by the type checker, so they are no cycle when the app loads."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in _imports_in(child))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node)


def import_graph() -> dict[str, set[str]]:
    """Each module of tracker/ (migrations aside) and the modules of tracker/ it imports."""
    modules = {
        _module_name(path): path
        for path in (ROOT / "tracker").rglob("*.py")
        if "migrations" not in path.parts
    }

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in _imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[
                        : len(package.split(".")) - node.level + 1
                    ]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            for target in targets:
                module = known(target)
                # A package may import its own modules (to name them in one place).
                if module and module != name and not module.startswith(name + "."):
                    imported.add(module)
        graph[name] = imported
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that reach each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_app_imports_one_that_imports_it_back():
    graph = import_graph()
    assert len(graph) > 40  # the walk found the app
    assert cycles(graph) == []


def test_imports_for_the_type_checker_only_are_left_out():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "import a\n"
        "if TYPE_CHECKING:\n    import b\n"
        "def f():\n    import c\n"
    )
    assert [ast.unparse(node) for node in _imports(tree)] == [
        "from typing import TYPE_CHECKING",
        "import a",
        "import c",
    ]


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_tasks_own_the_queueing_and_the_reminders_never_import_them():
    graph = import_graph()
    assert "tracker.reminders.outbox" in graph["tracker.tasks"]
    assert not any(
        "tracker.tasks" in imported
        for name, imported in graph.items()
        if name.startswith("tracker.reminders")
    )


def test_every_transactional_test_puts_the_migrations_data_back():
    """A transactional test empties the database when it ends. Without
    serialized_rollback the migrations' rows come back twice (post_migrate makes
    the content types again, then the next serialized test loads them too), and
    every later transactional test fails on a duplicate content type, though each
    file passes alone."""
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and ast.unparse(node.func).endswith("django_db")
            ):
                continue
            words = {k.arg: ast.unparse(k.value) for k in node.keywords}
            if (
                words.get("transaction") == "True"
                and words.get("serialized_rollback") != "True"
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders
