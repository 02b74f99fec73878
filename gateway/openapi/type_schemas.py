"""TypedDict → JSON Schema: the answers of ``contracts/<service>/rpc.py`` as the document's
component schemas (docs/api.md#openapi)."""
import typing


def typed_dict_schema(cls, components):
    """A JSON Schema ``$ref`` to ``cls`` (a TypedDict), registering it and every TypedDict it
    refers to in ``components`` (name → schema). Keys are required unless ``NotRequired``;
    more keys may come (changes are additive)."""
    name = cls.__name__
    if name not in components:
        components[name] = {}  # a placeholder first: a TypedDict may refer to itself
        hints = typing.get_type_hints(cls)
        properties = {key: _type_schema(hint, components) for key, hint in hints.items()}
        schema = {"type": "object", "properties": properties,
                  "required": [key for key in hints if key in cls.__required_keys__]}
        components[name] = schema
    return {"$ref": "#/components/schemas/" + name}


def _type_schema(hint, components):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.NotRequired, typing.Required):
        return _type_schema(args[0], components)
    if origin is typing.Union:
        options = [_type_schema(arg, components) for arg in args if arg is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin in (list, list):
        return {"type": "array", "items": _type_schema(args[0], components) if args else {}}
    if origin in (dict, dict) or hint is dict:
        return {"type": "object"}
    if typing.is_typeddict(hint):
        return typed_dict_schema(hint, components)
    simple = {str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"},
              float: {"type": "number"}, typing.Any: {}}
    if hint in simple:
        return dict(simple[hint])
    raise TypeError("no JSON Schema for {!r}".format(hint))



def answer_schema(answer, components):
    if isinstance(answer, dict):
        if answer.get("type") == "array" and not isinstance(answer.get("items", {}), dict):
            return {"type": "array", "items": typed_dict_schema(answer["items"], components)}
        return answer
    return typed_dict_schema(answer, components)

