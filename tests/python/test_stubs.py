"""The type stubs (.pyi) that let editors complete mgrad: they cover what the modules define,
and an editor's completion engine (jedi, the one IPython and many editors use) reads them."""

import ast
import os

import jedi
import pytest

import mgrad
import mgrad._core
import mgrad.nn

HERE = os.path.dirname(mgrad.__file__)


def stub_names(module_file, class_name=None):
    tree = ast.parse(open(os.path.join(HERE, module_file)).read())
    body = tree.body
    if class_name:
        body = next(n.body for n in body if isinstance(n, ast.ClassDef) and n.name == class_name)
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


def stub_methods(module_file, class_name):
    tree = ast.parse(open(os.path.join(HERE, module_file)).read())
    body = next(n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    return {node.name for node in body if isinstance(node, ast.FunctionDef)}


def public(obj):
    return {n for n in dir(obj) if not n.startswith("__") and (not n.startswith("_") or
                                                              n in ("_prev", "_op", "_backward"))}


@pytest.mark.parametrize("module, stub, cls", [
    (mgrad._core, "_core.pyi", None),
    (mgrad._core.Value, "_core.pyi", "Value"),
    (mgrad._core.Session, "_core.pyi", "Session"),
    (mgrad.nn, "nn.pyi", None),
    (mgrad.nn.SGD, "nn.pyi", "SGD"),
    (mgrad, "__init__.pyi", None),
])
def test_stubs_cover_the_runtime(module, stub, cls):
    missing = public(module) - stub_names(stub, cls) - {"random", "annotations", "Callable",
                                                         "Iterable", "List", "Sequence", "Union",
                                                         "_core", "_Optimizer", "Number",
                                                         "Scalar", "LearningRate", "draw",
                                                         "errors", "session"}
    assert not missing, f"{stub} lacks {sorted(missing)}"
    if cls:  # and the stub promises no method the class lacks
        extra = {n for n in stub_methods(stub, cls) if not n.startswith("__")} - set(dir(module))
        assert not extra, f"{stub} has {sorted(extra)}, which {cls} lacks"


def test_value_has_a_method_for_every_function_of_the_op_table():
    # The methods are made from the table (src/python/value.cpp); the stubs are held to them by
    # the test above.
    functions = {row["name"] for row in mgrad._core.ops()
                 if row["kind"] == "function" and row["arity"] == 1}
    assert "tan" in functions and "relu" in functions
    missing = functions - set(dir(mgrad.Value))
    assert not missing, f"Value lacks {sorted(missing)}"


@pytest.mark.parametrize("source, expected", [
    ("import mgrad\nmgrad.Value(1.0).re", "relu"),
    ("from mgrad import Value\nx = Value(2.0)\n(x * 3).ta", "tanh"),
    ("from mgrad.engine import Value\nValue(1.0)._pr", "_prev"),
    ("from mgrad.nn import MLP\nMLP(2, [1]).par", "parameters"),
    ("import mgrad\nmgrad.Session().ru", "run"),
    ("import mgrad\nmgrad.Session().run('1').tab", "tables"),
    ("import mgrad\nmgrad.draw_dot(mgrad.Value(1.0)).sa", "save"),
])
def test_an_editor_completes_from_the_stubs(source, expected):
    lines = source.splitlines()
    names = [c.name for c in jedi.Script(source).complete(len(lines), len(lines[-1]))]
    assert expected in names
