"""The shape of the code, held: the import layering (import-linter's contracts in pyproject.toml), no import hidden
inside a function to dodge a cycle, and no key string outside `data/keys.py` and the repositories."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEADLINE = ROOT / "layers/shared/python/leadline"
KEY_HOMES = {LEADLINE / "data/keys.py", *(LEADLINE / "data/repositories").glob("*.py")}
# A key literal: an upper-case word and a hash, as "CALL#", f"T#{tenant}" or "DELIVERIES#PENDING#".
KEY_SHAPE = re.compile(r"(?<![\w#])[A-Z][A-Z_]*#")


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_the_import_contracts_hold():
    # in a process of its own: import-linter configures logging, which would silence this process's loggers
    check = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_leadline_import_inside_a_function():
    hidden = []
    for path in _python_files("layers/shared/python/leadline", "functions"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if isinstance(node, ast.Import):
                    module = node.names[0].name
                if (module or "").startswith("leadline") or (isinstance(node, ast.ImportFrom) and node.level):
                    hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}()")
    assert not hidden, "imports inside functions:\n" + "\n".join(hidden)


def test_no_key_string_outside_the_keys_and_the_repositories():
    found = []
    for path in _python_files("layers/shared/python/leadline", "functions", "infra", "tests", "bench"):
        if path in KEY_HOMES or path == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text())
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                if KEY_SHAPE.search(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert not found, f"{len(found)} key strings outside data/keys.py and the repositories:\n" + "\n".join(found)


def test_the_readme_layout_names_every_part_of_leadline_and_nothing_else():
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    block = layout.split("layers/shared/python/leadline/", 1)[1].split("\ntests/", 1)[0]
    named = set()
    for line in block.splitlines():
        if line.startswith("  ") and not line.startswith("   "):  # an entry: its names, before the description
            names = re.split(r"\s{2,}", line.strip())[0]
            named |= {name.strip().rstrip("/").split("/")[0] for name in names.split(",")}
    present = {
        p.name.removesuffix(".py")
        for p in LEADLINE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p.is_dir() and (p / "__init__.py").exists())
    }
    named = {name.removesuffix(".py") for name in named if name}
    assert named - present == set(), "README's Layout names what is not in leadline/"
    assert present - named == set(), "README's Layout does not name these parts of leadline/"
