"""Field types for front matter and settings: each checks one value and says plainly what it needs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from .versions import MAX_VERSIONS


class FieldProblem(Exception):
    """A field's value does not fit its type (the message says what it needs)."""

    def __init__(self, message: str, key: tuple = ()):
        super().__init__(message)
        self.message = message
        self.key = key


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldProblem("must be text")
    return value.strip()


def number(value: Any) -> int | float:
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return float(value) if "." in value else int(value)
    raise FieldProblem(f"must be a number, not {describe(value)}")


def version_count(value: Any) -> int:
    count = number(value)
    if not isinstance(count, int) or not 1 <= count <= MAX_VERSIONS:
        raise FieldProblem(f"must be a whole number of versions from 1 to {MAX_VERSIONS}, not {describe(value)}")
    return count


def flag(value: Any) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "yes", "false", "no"):
        return value.lower() in ("true", "yes")
    raise FieldProblem(f"must be true or false, not {describe(value)}")


def text_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise FieldProblem("must be a list of one or more items ('- item' lines or [a, b])")
    items = []
    for index, item in enumerate(value):
        try:
            items.append(text(item))
        except FieldProblem:
            raise FieldProblem(f"item {index + 1} must be text", (index,)) from None
    return items


def record(fields: dict[str, Callable], required: tuple[str, ...] = ()) -> Callable:
    """A type for a mapping with named sub-fields."""

    def check(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldProblem("must be fields written as 'name: value' on indented lines")
        for name in value:
            if name not in fields:
                raise FieldProblem(unknown_field(name, fields), (name,))
        for name in required:
            if name not in value:
                raise FieldProblem(f"is missing '{name}'")
        result: dict[str, Any] = dict.fromkeys(fields)
        for name, kind in fields.items():
            if name in value:
                try:
                    result[name] = kind(value[name])
                except FieldProblem as problem:
                    raise FieldProblem(f"'{name}' {problem.message}", (name, *problem.key)) from None
        return result

    return check


def record_list(item_type: Callable) -> Callable:
    def check(value: Any) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise FieldProblem("must be a list of one or more items")
        result = []
        for index, item in enumerate(value):
            try:
                result.append(item_type(item))
            except FieldProblem as problem:
                raise FieldProblem(f"item {index + 1}: {problem.message}", (index, *problem.key)) from None
        return result

    return check


def describe(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return "a list" if isinstance(value, list) else "a group of fields"


def unknown_field(name: str, known: Any, what: str = "field") -> str:
    """``unknown field 'titel' (did you mean 'title'?)``, for fields or any other named thing."""
    message = f"unknown {what} '{name}'" if what else f"'{name}'"
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.55)
    return f"{message} (did you mean '{match[0]}'?)" if match else message


ONET_SOC = re.compile(r"\d{2}-\d{4}\.\d{2}")


def onet_code(value: Any) -> str:
    """An O*NET-SOC code as O*NET writes it: 51-4121.00."""
    if isinstance(value, str) and ONET_SOC.fullmatch(value.strip()):
        return value.strip()
    raise FieldProblem(f"must be an O*NET-SOC code written NN-NNNN.NN, such as 51-4121.00, not {describe(value)}")


def list_or_record(fields: dict[str, Callable]) -> Callable:
    """A list of items, or the same items grouped under named sub-fields (e.g. in high school, later)."""
    grouped = record(fields)

    def check(value: Any) -> list[str] | dict[str, Any]:
        return grouped(value) if isinstance(value, dict) else text_list(value)

    return check
