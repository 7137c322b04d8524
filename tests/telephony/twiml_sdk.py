"""Validates TwiML against the twilio SDK's own TwiML classes — no hand-written verb list.

Everything is derived from `twilio.twiml.voice_response` at import time:

- elements: every `TwiML` subclass in the module, keyed by the tag it renders (its `.name`
  after construction: `VoiceResponse` renders `<Response>`, `SsmlBreak` renders `<break>`…);
- nesting: a child may appear under a parent only if a method of the parent's class creates it
  (found by calling each method the class defines and looking at what it nests — `Gather.say`
  nests a `Say`, so `<Say>` is allowed in `<Gather>`; nothing on `Say` nests a `Gather`);
- attributes: the named parameters of that creating method, under the names the SDK itself
  writes (each parameter is passed alone and the attribute it produces is read back, so the
  SDK's own snake_case → camelCase conversion and its `from_`→`from` map are used); the one
  parameter that becomes the element's text instead (`message`, `url`, `number`…) is recorded
  as the element's body.

`**kwargs` would let the SDK accept anything; the named parameters are what the SDK documents,
so an attribute outside them is reported.
"""

from __future__ import annotations

import inspect
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from twilio.twiml import TwiML
from twilio.twiml import voice_response as sdk

# TwiML's own plumbing, not verbs.
_BASE_METHODS = frozenset(name for name in dir(TwiML) if not name.startswith("__"))


@dataclass
class ChildRule:
    method: str  # the parent's method that creates the child
    attributes: dict[str, str] = field(default_factory=dict)  # XML attribute → parameter
    body: str | None = None  # the parameter that becomes the text, if any


@dataclass
class Schema:
    classes: dict[str, type[TwiML]]  # tag → class
    children: dict[str, dict[str, ChildRule]]  # parent tag → child tag → rule


def _probe(name: str) -> str:
    return f"probe-{name}"


def _named_params(callable_: Any) -> list[str]:
    params = list(inspect.signature(callable_).parameters.values())[1:]  # skip self
    return [p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def _instance(cls: type[TwiML]) -> TwiML:
    return cls(**{name: _probe(name) for name in _named_params(cls.__init__)})


def _rule(parent: type[TwiML], method_name: str) -> tuple[str, ChildRule] | None:
    """Call the parent's method with every named parameter set to its own probe value, and read
    back where each value landed in the element it created: an attribute, or the body."""
    method = getattr(parent, method_name)
    names = _named_params(method)
    try:
        child = method(_instance(parent), **{name: _probe(name) for name in names})
    except Exception:
        return None
    if not isinstance(child, TwiML):
        return None
    rule = ChildRule(method=method_name)
    for name in names:
        if child.value == _probe(name):
            rule.body = name
        for attribute, value in child.attrs.items():
            if value == _probe(name):
                rule.attributes[attribute] = name
    return child.name, rule


def build_schema() -> Schema:
    classes: dict[str, type[TwiML]] = {}
    for _, cls in inspect.getmembers(sdk, inspect.isclass):
        if issubclass(cls, TwiML) and cls is not TwiML and cls.__module__ == sdk.__name__:
            classes[_instance(cls).name] = cls
    children: dict[str, dict[str, ChildRule]] = {}
    for tag, cls in classes.items():
        rules: dict[str, ChildRule] = {}
        for name, member in vars(cls).items():
            if name.startswith("_") or name in _BASE_METHODS or not callable(member):
                continue
            found = _rule(cls, name)
            if found is not None:
                rules[found[0]] = found[1]
        children[tag] = rules
    return Schema(classes, children)


SCHEMA = build_schema()


def problems(document: str, *, root_tag: str = "Response") -> list[str]:
    """Everything in `document` the SDK's classes would not produce; [] when valid."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        return [f"not XML: {exc}"]
    found: list[str] = []
    if root.tag != root_tag or SCHEMA.classes.get(root.tag) is not sdk.VoiceResponse:
        found.append(f"root is <{root.tag}>, not the SDK's VoiceResponse <{root_tag}>")
        return found
    if root.attrib:
        found.append(f"<Response> takes no attributes, got {sorted(root.attrib)}")
    if (root.text or "").strip():
        found.append("<Response> has text outside any verb")
    _check_children(root, "Response", found)
    return found


def _check_children(element: ET.Element, path: str, found: list[str]) -> None:
    allowed = SCHEMA.children.get(element.tag, {})
    for child in element:
        where = f"{path}/{child.tag}"
        if (child.tail or "").strip():
            found.append(f"{where}: stray text after the element")
        if child.tag not in SCHEMA.classes:
            found.append(f"{where}: no class renders <{child.tag}> in twilio.twiml.voice_response")
            continue
        rule = allowed.get(child.tag)
        if rule is None:
            found.append(
                f"{where}: {SCHEMA.classes[element.tag].__name__} has no method nesting <{child.tag}>"
            )
            continue
        owner = f"{SCHEMA.classes[element.tag].__name__}.{rule.method}()"
        found.extend(
            f"{where}: attribute {attribute!r} is not a parameter of {owner}"
            for attribute in child.attrib
            if attribute not in rule.attributes
        )
        if (child.text or "").strip() and rule.body is None:
            found.append(f"{where}: has text, but {rule.method}() takes no body")
        _check_children(child, where, found)


def assert_valid(document: str) -> None:
    issues = problems(document)
    assert not issues, (
        "TwiML the SDK would not produce:\n  " + "\n  ".join(issues) + f"\n{document}"
    )
