"""JSON bodies are measured for depth before anything parses them, without recursion."""

from __future__ import annotations

import json

import pytest

from server.jsonutil import MAX_DEPTH, TooDeep, loads, nested_too_deep


def nest(depth: int, inner: str = "1") -> str:
    text = inner
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"k": {text}}}'
    return text


@pytest.mark.parametrize("depth", [0, 1, MAX_DEPTH - 1, MAX_DEPTH])
def test_json_up_to_the_limit_is_read(depth: int) -> None:
    assert not nested_too_deep(nest(depth))
    assert loads(nest(depth)) == json.loads(nest(depth))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_json_deeper_than_the_limit_is_refused_before_parsing(depth: int) -> None:
    text = "[" * depth + "]" * depth
    assert nested_too_deep(text)
    with pytest.raises(TooDeep):
        loads(text)
    assert nested_too_deep("[" * depth)  # unterminated too


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"name": "[" * 5000}),
        json.dumps({"name": 'say \\"[[[[' + "{" * 500}),
        json.dumps(["\\", "[" * 200, "\\\\", "{" * 200]),
        "[" + ",".join(["[]"] * 100_000) + "]",
    ],
)
def test_brackets_inside_strings_and_wide_arrays_are_not_depth(text: str) -> None:
    assert not nested_too_deep(text)
    assert not nested_too_deep(text.encode())


def test_a_string_that_hides_a_quote_does_not_hide_the_nesting_after_it() -> None:
    text = '["a\\\\", ' + "[" * 100 + "]" * 100 + "]"
    assert nested_too_deep(text)
