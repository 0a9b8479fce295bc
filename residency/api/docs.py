"""The API's reference page: the OpenAPI document, rendered for people."""

from flask import Blueprint, render_template

from residency.api import registry

bp = Blueprint("api", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec):
    """``[(tag, [operation, …]), …]`` of the document, in its order: each operation a dict with
    method, path, summary, description, scopes, parameters, body schema name and responses."""
    groups = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            scopes = sorted({scope for requirement in operation.get("security", []) for names in requirement.values()
                             for scope in names})
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            groups.setdefault((operation.get("tags") or ["API"])[0], []).append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""), "scopes": scopes,
                "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
                "body": _ref_name(body),
                "responses": {code: _response_schema(response) for code, response in operation.get("responses", {}).items()},
            })
    return list(groups.items())


def _ref_name(schema):
    ref = schema.get("$ref") or ""
    return ref.rsplit("/", 1)[-1] if ref else ""


def _response_schema(response):
    if "$ref" in response:
        return "Problem"
    for content in response.get("content", {}).values():
        return _ref_name(content.get("schema", {})) or ""
    return ""


@bp.get("/")
def reference():
    """Every operation of the API with its scopes, parameters and schemas, and the conventions."""
    api = registry.state()["api"]
    spec = api.spec.to_dict()
    return render_template("api/reference.html", spec=spec, groups=operations(spec),
                           schemas=spec.get("components", {}).get("schemas", {}))
