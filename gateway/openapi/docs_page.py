"""The document as a page for people: self-contained HTML, no script, no CDN."""
import html
import json

DOCS_STYLE = ("body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
              "h2{border-bottom:1px solid #ccc;margin-top:2em}section{margin:1em 0 2em}"
              "code,pre{background:#f5f5f5}pre{padding:.5em;overflow-x:auto;font-size:.85em}"
              ".method{font-weight:bold;text-transform:uppercase;margin-right:.5em}"
              "details{margin:.3em 0}summary{cursor:pointer}")


def render_docs(spec):
    """A self-contained page (no script, no CDN): every operation with its parameters, body and
    answers, schemas in full."""
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<title>{} {}</title><style>{}</style></head><body>".format(
               html.escape(spec["info"]["title"]), html.escape(spec["info"]["version"]), DOCS_STYLE),
           "<h1>{} <small>{}</small></h1>".format(html.escape(spec["info"]["title"]),
                                                  html.escape(spec["info"]["version"])),
           "<p>{}</p>".format(html.escape(spec["info"]["description"])),
           "<p>Machine-readable: <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a> (OpenAPI {}).</p>".format(
               html.escape(spec["openapi"]))]
    by_tag = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            by_tag.setdefault(operation["tags"][0], []).append((path, method, operation))
    for tag, operations in by_tag.items():
        out.append("<h2>{}</h2>".format(html.escape(tag)))
        for path, method, operation in operations:
            out.append("<section id='{}'><h3><span class='method'>{}</span><code>{}</code></h3><p>{}</p>".format(
                html.escape(operation["operationId"]), html.escape(method), html.escape(path),
                html.escape(operation["summary"])))
            if operation.get("description"):
                out.append("<p>{}</p>".format(html.escape(operation["description"])))
            if operation.get("x-roles"):
                out.append("<p>Bearer token; roles: {}</p>".format(html.escape(", ".join(operation["x-roles"]))))
            for parameter in operation.get("parameters", []):
                out.append("<p>{} <code>{}</code>{}: <code>{}</code></p>".format(
                    html.escape(parameter["in"]), html.escape(parameter["name"]),
                    " (required)" if parameter.get("required") else "", html.escape(json.dumps(
                        parameter["schema"], ensure_ascii=False))))
            if "requestBody" in operation:
                for content_type, media in operation["requestBody"]["content"].items():
                    out.append(_details("Request body ({})".format(content_type), media["schema"]))
                    if "example" in media:
                        out.append(_details("Example", media["example"]))
            for status, response in operation["responses"].items():
                out.append(_details("{} {}".format(status, _response_summary(spec, response)),
                                    _response_schema(spec, response)))
            out.append("</section>")
    out.append("<h2>Schemas</h2>")
    for name, schema in spec["components"]["schemas"].items():
        out.append("<div id='schema-{}'>{}</div>".format(html.escape(name), _details(name, schema)))
    out.append("</body></html>")
    return "\n".join(out)


def _details(title, value):
    return "<details><summary>{}</summary><pre>{}</pre></details>".format(
        html.escape(title), html.escape(json.dumps(value, ensure_ascii=False, indent=2)))


def _resolve(spec, response):
    if "$ref" in response:
        return spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def _response_summary(spec, response):
    return _resolve(spec, response)["description"]


def _response_schema(spec, response):
    content = _resolve(spec, response).get("content", {})
    return next(iter(content.values()), {}).get("schema", {})

