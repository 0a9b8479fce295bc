"""Checking an API answer against the OpenAPI document: the documented status, content type and
JSON Schema (OpenAPI 3.1 schemas are JSON Schema 2020-12)."""

import re

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from residency.api import PREFIX


def operation_for(spec, path, method):
    """The document's path template and operation matching a concrete ``path``."""
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def conformance_problems(spec, method, path, response):
    """What is wrong with ``response`` to ``method path`` according to ``spec`` (empty: conforms)."""
    template, operation = operation_for(spec, path.split("?")[0], method)
    if operation is None:
        return [f"{method} {path}: not in the document"]
    documented = operation["responses"].get(str(response.status_code)) or operation["responses"].get("default")
    if documented is None:
        return [f"{method} {path}: status {response.status_code} not documented"]
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    content = documented.get("content", {})
    if response.status_code == 304 or not content:
        return []
    if response.mimetype not in content:
        return [f"{method} {path}: {response.mimetype} is not among {sorted(content)}"]
    schema = content[response.mimetype].get("schema")
    if schema is None or response.mimetype not in ("application/json", "application/problem+json"):
        return []
    registry = Registry().with_resource("urn:spec", Resource.from_contents(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", **{"components": spec["components"]}}))
    root = _rebase(schema)
    validator = Draft202012Validator(root, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{method} {path}: {error.message} at {list(error.absolute_path)}"
            for error in validator.iter_errors(response.get_json())]


def _rebase(schema):
    """``schema`` with local ``#/components/…`` references pointing into ``urn:spec``."""
    if isinstance(schema, dict):
        return {key: ("urn:spec" + value if key == "$ref" and value.startswith("#/") else _rebase(value))
                for key, value in schema.items()}
    if isinstance(schema, list):
        return [_rebase(item) for item in schema]
    return schema


def get_spec(client):
    return client.get(f"{PREFIX}/openapi.json").json
