"""Arrow's compute functions for the table export, without importing ``pyarrow.compute``.

``import pyarrow.compute`` wraps each of Arrow's ~290 compute functions in a Python function
with a generated signature and docstring: about 0.04 CPU s at the start of every table export
on the 2-core VM (docs/benchmarks.md, "#22 people's tables: the start"), a tenth of what the
json dump of the same people spends in all. The functions the fast paths of
:mod:`.columnar` call are defined here on Arrow's function registry (``pyarrow._compute``,
which ``pyarrow.compute`` itself calls), with the options its wrappers pass, so their results
are the same. Any other name is ``pyarrow.compute``'s, imported on its first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyarrow import _compute

_ARROW = (pa.Array, pa.ChunkedArray, pa.Scalar)


def _plain(name: str) -> Callable[..., Any]:
    """Arrow's ``name`` called with its default options, as ``pyarrow.compute``'s wrapper
    calls it when given none."""
    function = _compute.get_function(name)

    def call(*args: Any) -> Any:
        return function.call(args)

    call.__name__ = name
    return call


add = _plain("add")
and_ = _plain("and")
binary_length = _plain("binary_length")
coalesce = _plain("coalesce")
cumulative_sum = _plain("cumulative_sum")
divide = _plain("divide")
equal = _plain("equal")
if_else = _plain("if_else")
inverse_permutation = _plain("inverse_permutation")
is_null = _plain("is_null")
less = _plain("less")
list_flatten = _plain("list_flatten")
list_parent_indices = _plain("list_parent_indices")
list_value_length = _plain("list_value_length")
multiply = _plain("multiply")
subtract = _plain("subtract")


def take(data: Any, indices: Any) -> Any:
    return _compute.call_function("take", [data, indices], _compute.TakeOptions(boundscheck=True))


def cast(values: Any, target_type: Any) -> Any:
    """A safe cast, as ``pyarrow.compute.cast`` (and ``Array.cast``) make by default."""
    return _compute.call_function("cast", [values], _compute.CastOptions.safe(target_type))


def fill_null(values: Any, fill_value: Any) -> Any:
    """Nulls replaced by ``fill_value``, a Python value taken as one of ``values``' type (as
    ``pyarrow.compute.fill_null`` takes it)."""
    if not isinstance(fill_value, _ARROW):
        fill_value = pa.scalar(fill_value, type=values.type)
    return _compute.call_function("coalesce", [values, fill_value])


def struct_field(values: Any, indices: Any) -> Any:
    return _compute.call_function("struct_field", [values], _compute.StructFieldOptions(indices))


def match_substring_regex(strings: Any, pattern: str) -> Any:
    options = _compute.MatchSubstringOptions(pattern)
    return _compute.call_function("match_substring_regex", [strings], options)


def any(values: Any) -> Any:  # Arrow's name, as in pyarrow.compute
    return _compute.call_function("any", [values])


def all(values: Any, *, min_count: int = 1) -> Any:
    options = _compute.ScalarAggregateOptions(skip_nulls=True, min_count=min_count)
    return _compute.call_function("all", [values], options)


def __getattr__(name: str) -> Any:
    """Any other compute function: ``pyarrow.compute``'s, imported now."""
    if name.startswith("__"):
        raise AttributeError(name)
    found = getattr(importlib.import_module("pyarrow.compute"), name)
    globals()[name] = found
    return found
