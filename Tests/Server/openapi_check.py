#!/usr/bin/env python3
"""Checks a running `regula serve` against Docs/openapi.yaml.

1. The document is valid OpenAPI 3.1 (openapi_spec_validator).
2. A list of scenarios is sent to the service: every operation, each 200, and each refusal
   that can be provoked from outside (401 without or with a bad token, 403 for a token with the
   wrong role, 404, 400, 413, 422).
3. Each response is looked up in the document by path template and method: its status must be
   documented, its documented headers present and valid, its Content-Type one of the documented
   media types, and its body valid against that media type's schema (JSON Schema 2020-12,
   `$ref`s resolved within the document). `application/x-ndjson` bodies are checked line by
   line against the media type's `x-regula-line-schema`; `text/html` must start with a
   doctype; the Prometheus text is checked line by line; `application/yaml` must be the
   document's bytes.
4. Each scenario also expects its status (and some their content: the decision id fetched back,
   the batch's line numbers, the error kind).

Prints `ok METHOD PATH STATUS` or `FAIL METHOD PATH STATUS: reason` per scenario; exits 1 if
any failed. Needs Python 3.11, PyYAML, jsonschema 4 (with referencing) and
openapi-spec-validator.

    python3 Tests/Server/openapi_check.py --spec Docs/openapi.yaml --base http://127.0.0.1:PORT \
        --decide-token T1 --audit-token T2 --admin-token T3 \
        --policy w1_minimum_living_allowance \
        --application Examples/minimum-living-allowance-w1/example-application.json \
        --batch Examples/minimum-living-allowance-w1/sample-applications.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import http.client
import json
import math
import re
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable

import jsonschema
import jsonschema.exceptions
import referencing
import referencing.exceptions
import referencing.jsonschema
import yaml
from openapi_spec_validator import validate as validate_openapi

BASE_URI = "urn:regula:openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MiB = 1 << 20


# MARK: - Loading the document


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: `2024-06-01` stays the string JSON would have."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _escape(segment: str) -> str:
    """One JSON-pointer segment, escaped and percent-encoded for a URI fragment."""
    return urllib.parse.quote(segment.replace("~", "~0").replace("/", "~1"), safe="~")


def pointer(*segments: Any) -> str:
    return "".join("/" + _escape(str(segment)) for segment in segments)


_FORMATS = jsonschema.FormatChecker(formats=())
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        raise ValueError("not YYYY-MM-DD")
    datetime.date.fromisoformat(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        raise ValueError("not an RFC 3339 date-time")
    datetime.date.fromisoformat(match.group(1))
    hour, minute, second = (int(match.group(n)) for n in (2, 3, 4))
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError("time out of range")
    return True


class Spec:
    """The OpenAPI document, its operations, and validators for the schemas in it."""

    def __init__(self, path: str):
        with open(path, "rb") as file:
            self.raw = file.read()
        self.doc = yaml.load(self.raw, Loader=_Loader)  # noqa: S506 (a SafeLoader)
        resource = referencing.jsonschema.DRAFT202012.create_resource(self.doc)
        self.registry = referencing.Registry().with_resource(BASE_URI, resource)
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}
        self.templates = [
            (template, _template_regex(template)) for template in self.doc.get("paths", {})
        ]

    def validate_document(self) -> str | None:
        try:
            validate_openapi(self.doc)
        except Exception as error:  # the validator's exceptions vary between versions
            return f"{type(error).__name__}: {_first_line(str(error))}"
        return None

    def resolve(self, node: Any, where: str) -> tuple[Any, str]:
        """Follows OpenAPI Reference Objects (`$ref: '#/...'`) to the object and its pointer."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise LookupError(f"cannot follow $ref {ref!r} at {where}")
            seen.add(ref)
            where = ref[1:]
            node = self.doc
            for segment in ref[2:].split("/"):
                segment = urllib.parse.unquote(segment).replace("~1", "/").replace("~0", "~")
                node = node[int(segment)] if isinstance(node, list) else node[segment]
        return node, where

    def operation(self, method: str, path: str) -> tuple[str, dict, str] | None:
        """The operation serving `method path`: (template, operation, its pointer).

        A concrete path wins over a templated one (the fewest template segments wins)."""
        matches = [
            (template.count("{"), template)
            for template, regex in self.templates
            if regex.fullmatch(path)
        ]
        for _, template in sorted(matches):
            item, where = self.resolve(self.doc["paths"][template], pointer("paths", template))
            if method.lower() in item:
                operation = item[method.lower()]
                return template, operation, where + pointer(method.lower())
        return None

    def operations(self) -> list[tuple[str, str, dict]]:
        """Every operation: (METHOD, path template, operation object)."""
        found = []
        for template, item in self.doc.get("paths", {}).items():
            item, _ = self.resolve(item, pointer("paths", template))
            found += [(method.upper(), template, item[method]) for method in METHODS if method in item]
        return found

    def validator(self, where: str) -> jsonschema.Draft202012Validator:
        """A validator for the schema at JSON pointer `where` in the document."""
        if where not in self._validators:
            schema = {"$ref": f"{BASE_URI}#{where}"}
            self._validators[where] = jsonschema.Draft202012Validator(
                schema, registry=self.registry, format_checker=_FORMATS)
        return self._validators[where]

    def check(self, where: str, instance: Any, what: str) -> list[str]:
        """Problems with `instance` against the schema at `where` (empty when valid)."""
        try:
            errors = list(self.validator(where).iter_errors(instance))
        except (referencing.exceptions.Unresolvable, jsonschema.exceptions.SchemaError) as error:
            return [f"{what}: the schema at {urllib.parse.unquote(where)} is broken: {error}"]
        if not errors:
            return []
        best = _closest(jsonschema.exceptions.best_match(errors))
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        return [f"{what} at {best.json_path}: {_shorten(best.message)} "
                f"[{count}; schema {urllib.parse.unquote(where)}]"]


def _closest(error: jsonschema.exceptions.ValidationError) -> jsonschema.exceptions.ValidationError:
    """For a value matching no branch of a oneOf/anyOf: the error within the closest branch."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list] = {}
        for inner in error.context:
            branches.setdefault(inner.relative_schema_path[0], []).append(inner)
        error = jsonschema.exceptions.best_match(min(branches.values(), key=len))
    return error


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


# MARK: - HTTP


@dataclasses.dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self) -> Any:
        return strict_json(self.body.decode("utf-8"))


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send_urllib(url: str, method: str, headers: dict[str, str], body: bytes | None,
                timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


def send_duplex(url: str, method: str, headers: dict[str, str], body: bytes,
                timeout: float) -> Answer:
    """Sends from one thread while reading the answer in this one.

    For bodies the service may answer before it has read them (413) or answer while still
    reading them (a streamed batch): urllib sends the whole body before it reads, so it would
    see a broken pipe, or both sides could block on full buffers."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}",
             f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    sock = socket.create_connection((host, port), timeout=timeout)
    failure: list[BaseException] = []

    def write() -> None:
        try:
            sock.sendall(head)
            view = memoryview(body)
            for start in range(0, len(view), 64 * 1024):
                sock.sendall(view[start:start + 64 * 1024])
        except OSError as error:  # the service may stop reading once it has answered
            failure.append(error)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        data = response.read()
        return Answer(response.status, response.msg, data)
    except (OSError, http.client.HTTPException) as error:
        sent = f"; sending had failed first: {failure[0]!r}" if failure else ""
        raise OSError(f"no complete answer: {error!r}{sent}") from error
    finally:
        sock.close()
        writer.join(timeout=5)


def strict_json(text: str) -> Any:
    """JSON as the service must write it: no duplicate keys, no NaN or Infinity."""

    def pairs(items: list[tuple[str, Any]]) -> dict:
        result: dict = {}
        for key, value in items:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


# MARK: - Checking a response against the document


def _media(text: str) -> tuple[str, dict[str, str]]:
    base, *rest = text.split(";")
    params = {}
    for part in rest:
        key, _, value = part.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return base.strip().lower(), params


def _media_matches(documented: str, received: str) -> int:
    """How specifically the documented media range matches the received type (0: not at all)."""
    (want, want_params), (got, got_params) = _media(documented), _media(received)
    if want == got:
        score = 3
    elif want.endswith("/*") and got.split("/")[0] == want.split("/")[0]:
        score = 2
    elif want == "*/*":
        score = 1
    else:
        return 0
    for key, value in want_params.items():
        if got_params.get(key, "").lower() != value.lower():
            return 0
    return score * 10 + len(want_params)


def conformance(spec: Spec, method: str, path: str, answer: Answer, documented: bool = True,
                fallback_schema: str | None = None) -> list[str]:
    """Problems with `answer` against the operation the document has for `method path`."""
    found = spec.operation(method, path)
    if found is None:
        if documented:
            return [f"no operation {method} {path} in the document"]
        problems = []
        if answer.status < 400:
            problems.append(f"an undocumented route answered {answer.status}")
        if fallback_schema:
            problems += check_json_body(spec, fallback_schema, answer, "the error body")
        return problems
    template, operation, where = found
    if not documented:
        return [f"{method} {path} was expected to be undocumented but matches {template}"]
    responses, responses_at = spec.resolve(operation.get("responses", {}), where + "/responses")
    status = str(answer.status)
    key = next((k for k in (status, status[0] + "XX", status[0] + "xx", "default") if k in responses),
               None)
    if key is None:
        return [f"status {status} is not documented for {method.upper()} {template} "
                f"(documented: {', '.join(sorted(responses))})"]
    response, at = spec.resolve(responses[key], responses_at + pointer(key))
    problems = check_headers(spec, response, at, answer)
    content = response.get("content")
    if not content:
        if answer.body:
            problems.append(f"{len(answer.body)} body bytes where none is documented")
        return problems
    received = answer.header("Content-Type")
    if not received:
        return problems + ["no Content-Type on a response with a documented body"]
    scored = sorted(((_media_matches(k, received), k) for k in content), reverse=True)
    if not scored or scored[0][0] == 0:
        return problems + [f"Content-Type {received!r} is not documented for {status} "
                           f"(documented: {', '.join(content)})"]
    media_key = scored[0][1]
    media, media_at = spec.resolve(content[media_key], at + pointer("content", media_key))
    return problems + check_body(spec, media_key, media, media_at, answer)


def check_headers(spec: Spec, response: dict, at: str, answer: Answer) -> list[str]:
    problems = []
    for name, header in response.get("headers", {}).items():
        if name.lower() == "content-type":
            continue  # described by `content`, never by `headers`
        header, header_at = spec.resolve(header, at + pointer("headers", name))
        value = answer.header(name)
        if value is None:
            if header.get("required"):
                problems.append(f"the documented header {name} is missing")
            continue
        if "schema" in header:
            problems += spec.check(header_at + "/schema", value, f"header {name}")
    return problems


def check_json_body(spec: Spec, schema_at: str, answer: Answer, what: str) -> list[str]:
    try:
        value = answer.json()
    except (UnicodeDecodeError, ValueError) as error:
        return [f"{what} is not JSON: {error}: {_shorten(answer.body[:200].decode('utf-8', 'replace'))}"]
    return spec.check(schema_at, value, what)


def check_body(spec: Spec, media_key: str, media: dict, media_at: str, answer: Answer) -> list[str]:
    base, _ = _media(media_key)
    if base == "application/json" or base.endswith("+json"):
        if "schema" not in media:
            return []
        return check_json_body(spec, media_at + "/schema", answer, "the body")
    try:
        text = answer.body.decode("utf-8")
    except UnicodeDecodeError as error:
        return [f"the body is not UTF-8: {error}"]
    if base in ("application/x-ndjson", "application/jsonl"):
        return check_lines(spec, media, media_at, text)
    problems = []
    if "schema" in media:
        problems += spec.check(media_at + "/schema", text, "the body")
    if base == "text/html":
        if not text.lower().startswith("<!doctype html>"):
            problems.append(f"the HTML does not start with <!DOCTYPE html>: {_shorten(text[:80])}")
    elif base == "text/plain" and _media(media_key)[1].get("version") == "0.0.4":
        problems += check_prometheus(text)
    elif base in ("application/yaml", "application/x-yaml", "text/yaml"):
        if answer.body != spec.raw:
            problems.append(
                f"the YAML served ({len(answer.body)} bytes) is not the document "
                f"({len(spec.raw)} bytes): rebuild after editing Docs/openapi.yaml")
    return problems


def check_lines(spec: Spec, media: dict, media_at: str, text: str) -> list[str]:
    if "x-regula-line-schema" not in media:
        return ["an x-ndjson media type without x-regula-line-schema"]
    if text and not text.endswith("\n"):
        return ["the last line does not end with a line break"]
    problems = []
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        try:
            value = strict_json(line)
        except ValueError as error:
            problems.append(f"answer line {number} is not JSON: {error}")
        else:
            problems += spec.check(media_at + "/x-regula-line-schema", value, f"answer line {number}")
        if len(problems) >= 3:
            problems.append("(further lines not checked)")
            break
    return problems


# MARK: - Prometheus text

_METRIC_TYPES = {
    "regula_decisions_total": "counter",
    "regula_decision_errors_total": "counter",
    "regula_http_requests_total": "counter",
    "regula_decision_seconds": "histogram",
    "regula_log_entries": "gauge",
}
_METRIC_LABELS = {
    "regula_decisions_total": {"policy"},
    "regula_decision_errors_total": {"kind"},
    "regula_http_requests_total": {"status"},
    "regula_decision_seconds_bucket": {"le"},
    "regula_decision_seconds_sum": set(),
    "regula_decision_seconds_count": set(),
    "regula_log_entries": set(),
}
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(?:,|$)')
_HELP_TYPE = re.compile(r"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$")


def parse_prometheus(text: str) -> tuple[list[tuple[str, dict[str, str], float]], dict[str, str], list[str]]:
    samples, types, problems = [], {}, []
    if not text.endswith("\n"):
        problems.append("the metrics do not end with a line break")
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        if not line:
            continue
        if line.startswith("#"):
            match = _HELP_TYPE.match(line)
            if match and match.group(1) == "TYPE":
                if match.group(2) in types:
                    problems.append(f"metrics line {number}: a second TYPE for {match.group(2)}")
                types[match.group(2)] = match.group(3) or ""
            continue
        match = _SAMPLE.match(line)
        if not match:
            problems.append(f"metrics line {number} is not a sample: {line!r}")
            continue
        name, label_text, value_text, _ = match.groups()
        labels: dict[str, str] = {}
        rest = label_text or ""
        while rest.strip():
            label = _LABEL.match(rest)
            if not label:
                problems.append(f"metrics line {number}: bad labels {{{label_text}}}")
                break
            labels[label.group(1)] = label.group(2)
            rest = rest[label.end():]
        try:
            value = float(value_text)
        except ValueError:
            problems.append(f"metrics line {number}: the value {value_text!r} is not a number")
            continue
        samples.append((name, labels, value))
    return samples, types, problems


def check_prometheus(text: str) -> list[str]:
    samples, types, problems = parse_prometheus(text)
    for family, kind in _METRIC_TYPES.items():
        if types.get(family) != kind:
            problems.append(f"no `# TYPE {family} {kind}` line")
    buckets: list[tuple[float, float]] = []
    counts = []
    log_entries = 0
    for name, labels, value in samples:
        if name not in _METRIC_LABELS:
            problems.append(f"an undocumented metric {name}")
            continue
        if set(labels) != _METRIC_LABELS[name]:
            problems.append(f"{name} has labels {sorted(labels)}, not {sorted(_METRIC_LABELS[name])}")
            continue
        if value < 0 or math.isnan(value):
            problems.append(f"{name}{labels} is {value}")
        if name == "regula_http_requests_total" and not re.fullmatch(r"[1-5]\d\d", labels["status"]):
            problems.append(f"regula_http_requests_total has status={labels['status']!r}")
        if name == "regula_decision_seconds_bucket":
            try:
                buckets.append((float(labels["le"]), value))
            except ValueError:
                problems.append(f"a bucket le={labels['le']!r}")
        if name == "regula_decision_seconds_count":
            counts.append(value)
        if name == "regula_log_entries":
            log_entries += 1
    if log_entries != 1:
        problems.append(f"{log_entries} regula_log_entries samples, not 1")
    if not buckets or buckets[-1][0] != math.inf:
        problems.append("the histogram's last bucket is not le=\"+Inf\"")
    elif [b for b, _ in buckets] != sorted(b for b, _ in buckets):
        problems.append("the histogram's buckets are not in increasing order of le")
    elif any(later < earlier for (_, earlier), (_, later) in zip(buckets, buckets[1:])):
        problems.append("the histogram's buckets are not cumulative")
    elif len(counts) != 1 or counts[0] != buckets[-1][1]:
        problems.append(f"regula_decision_seconds_count {counts} is not the +Inf bucket {buckets[-1][1]}")
    if sum(1 for name, _, _ in samples if name == "regula_decision_seconds_sum") != 1:
        problems.append("not one regula_decision_seconds_sum sample")
    return problems


# MARK: - Scenarios


@dataclasses.dataclass
class State:
    """What earlier scenarios learnt, for later ones."""

    decision_id: int | None = None
    record: dict | None = None
    jurisdictions: list[str] = dataclasses.field(default_factory=list)
    level: str | None = None
    valid_from: str | None = None


Check = Callable[[Answer, State], list[str]]


@dataclasses.dataclass
class Scenario:
    name: str
    method: str
    path: str | Callable[[State], str | None]
    expect: int
    token: str | None = None  # a role name (`decide`, `audit`, `admin`), `bad`, or None
    query: dict[str, str] | Callable[[State], dict[str, str]] | None = None
    body: bytes | None = None
    content_type: str | None = None
    check: Check | None = None
    duplex: bool = False  # send with send_duplex, not urllib
    documented: bool = True  # False: a route the document must not have
    kind: str | None = None  # the error kind expected in the body


def _kind_check(answer: Answer, kind: str) -> list[str]:
    try:
        got = answer.json().get("kind")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return ["the error body is not a JSON object"]
    return [] if got == kind else [f"error kind {got!r}, expected {kind!r}"]


def scenarios(args: argparse.Namespace, application: bytes, batch: bytes) -> list[Scenario]:
    policy = args.policy
    decide = f"/v1/policies/{urllib.parse.quote(policy, safe='')}/decisions"
    batch_path = decide + "/batch"
    as_of = {"as_of": args.as_of}
    app = json.loads(application)
    json_type = "application/json"
    ndjson = "application/x-ndjson"

    # A body of the wrong type: the first integer field of the application as a string.
    wrong = dict(app)
    field = next((k for k, v in app.items() if isinstance(v, int) and not isinstance(v, bool)), None)
    if field is not None:
        wrong[field] = str(wrong[field]) + " months"
    else:
        field = next(iter(app), "id")
        wrong[field] = [wrong.get(field)]
    wrong_type = json.dumps(wrong).encode()
    oversize = b'{"id":"' + b"x" * (args.oversize) + b'"}'
    oversize_line = b'{"id":"' + b"x" * (args.oversize) + b'"}'
    one_line = json.dumps(app, separators=(",", ":")).encode()
    mixed_batch = b"\n".join([one_line, b'{"id": ', oversize_line, b"", one_line]) + b"\n"
    batch_lines = [n for n, line in enumerate(batch.split(b"\n"), start=1)
                   if line.strip(b" \t\r")]

    def decision(suffix: str = "") -> Callable[[State], str | None]:
        return lambda state: (None if state.decision_id is None
                              else f"/v1/decisions/{state.decision_id}{suffix}")

    # Checks of content beyond the schema.

    def learn_policies(answer: Answer, state: State) -> list[str]:
        policies = {p["name"]: p for p in answer.json()["policies"]}
        if policy not in policies:
            return [f"the policy {policy!r} is not listed (listed: {sorted(policies)})"]
        state.jurisdictions = policies[policy]["jurisdictions"]
        state.level = policies[policy]["level"]
        state.valid_from = policies[policy]["valid_from"]
        return []

    def learn_decision(answer: Answer, state: State) -> list[str]:
        value = answer.json()
        problems = record_is(value["record"], policy, args.as_of)
        if "trace" in value:
            problems.append("a trace without explain=true")
        if state.decision_id is None:
            state.decision_id, state.record = value["decision_id"], value["record"]
        return problems

    def explained(answer: Answer, state: State) -> list[str]:
        value = answer.json()
        if "trace" not in value:
            return ["no trace with explain=true"]
        trace_record = value["trace"].get("record")
        if trace_record is not None and trace_record != value["record"]:
            return ["the trace's record is not the answer's record"]
        return []

    def in_jurisdiction(answer: Answer, state: State) -> list[str]:
        got = answer.json()["record"]["jurisdiction"]
        want = jurisdiction_choice(state)
        return [] if got == want else [f"decided for {got!r}, asked for {want!r}"]

    def batch_answers(expected: list[int], errors: dict[int, str]) -> Check:
        def check(answer: Answer, state: State) -> list[str]:
            lines = [strict_json(line) for line in answer.body.decode().split("\n") if line]
            numbers = [line.get("line") for line in lines]
            if numbers != expected:
                shown = numbers if len(numbers) < 12 else f"{numbers[:6]}…{numbers[-3:]} ({len(numbers)})"
                return [f"answer lines numbered {shown}, expected {len(expected)} lines "
                        f"{expected if len(expected) < 12 else ''}"]
            problems = []
            for line in lines:
                number = line["line"]
                if number in errors:
                    got = line.get("error", {}).get("kind")
                    if got != errors[number]:
                        problems.append(f"line {number}: error kind {got!r}, expected {errors[number]!r}")
                elif "record" in line:
                    problems += [f"line {number}: {p}" for p in record_is(line["record"], policy, args.as_of)]
            ids = [line["decision_id"] for line in lines if "decision_id" in line]
            if ids != sorted(set(ids)):
                problems.append("the decision ids are not increasing")
            return problems[:5]
        return check

    def stored(answer: Answer, state: State) -> list[str]:
        value = answer.json()
        problems = []
        if value["decision_id"] != state.decision_id:
            problems.append(f"decision_id {value['decision_id']}, asked for {state.decision_id}")
        if value["record"] != state.record:
            problems.append("the logged record is not the one the decision answered")
        for key in app:
            if key not in value["input"]:
                problems.append(f"the logged input lacks {key!r}")
        return problems

    def traced(answer: Answer, state: State) -> list[str]:
        value = answer.json()
        if value.get("schema") != "regula.trace/2":
            return [f"schema {value.get('schema')!r}, expected regula.trace/2"]
        if "record" in value and value["record"] != state.record:
            return ["the replayed record is not the logged one"]
        return []

    def account(answer: Answer, state: State) -> list[str]:
        value = answer.json()
        problems = []
        if value.get("schema") != "regula.account/1":
            problems.append(f"schema {value.get('schema')!r}, expected regula.account/1")
        elif (value["audience"], value["language"]) != ("citizen", "en"):
            problems.append(f"audience/language {value['audience']}/{value['language']}, expected citizen/en")
        elif value["record"] != state.record:
            problems.append("the account's record is not the logged one")
        return problems

    def reloaded(answer: Answer, state: State) -> list[str]:
        names = [p["name"] for p in answer.json()["policies"]]
        return [] if policy in names else [f"{policy!r} not among the reloaded {names}"]

    def metrics(answer: Answer, state: State) -> list[str]:
        samples, _, _ = parse_prometheus(answer.body.decode())
        decided = [v for n, labels, v in samples
                   if n == "regula_decisions_total" and labels.get("policy") == policy]
        statuses = {labels.get("status") for n, labels, _ in samples if n == "regula_http_requests_total"}
        problems = []
        if not decided or decided[0] < 1:
            problems.append(f"no regula_decisions_total{{policy=\"{policy}\"}} after decisions")
        for status in ("200", "401", "403", "404", "422"):
            if status not in statuses:
                problems.append(f"no regula_http_requests_total{{status=\"{status}\"}}")
        return problems

    def before_validity(state: State) -> dict[str, str]:
        try:
            first = datetime.date.fromisoformat(state.valid_from or "")
        except ValueError:
            return {"as_of": "1999-01-01"}
        return {"as_of": (first - datetime.timedelta(days=1)).isoformat()}

    def jurisdiction_choice(state: State) -> str:
        others = [j for j in state.jurisdictions if j != state.level]
        return others[0] if others else (state.level or "")

    s = Scenario
    return [
        # Service.
        s("health", "GET", "/health", 200),
        s("health ignores a bad token", "GET", "/health", 200, token="bad"),
        s("ready", "GET", "/ready", 200),
        s("openapi", "GET", "/openapi.yaml", 200, token="audit"),
        s("openapi with a decide token", "GET", "/openapi.yaml", 200, token="decide"),
        s("openapi without a token", "GET", "/openapi.yaml", 401),
        s("openapi with a bad token", "GET", "/openapi.yaml", 401, token="bad"),
        s("metrics without a token", "GET", "/metrics", 401),
        s("metrics with a bad token", "GET", "/metrics", 401, token="bad"),
        # Policies.
        s("policies (decide)", "GET", "/v1/policies", 200, token="decide", check=learn_policies),
        s("policies (audit)", "GET", "/v1/policies", 200, token="audit"),
        s("policies (admin)", "GET", "/v1/policies", 200, token="admin"),
        s("policies without a token", "GET", "/v1/policies", 401),
        s("policies with a bad token", "GET", "/v1/policies", 401, token="bad"),
        # One decision.
        s("decide", "POST", decide, 200, "decide", as_of, application, json_type, learn_decision),
        s("decide, explain=true", "POST", decide, 200, "decide",
          {**as_of, "explain": "true"}, application, json_type, explained),
        s("decide, explain=false", "POST", decide, 200, "decide",
          {**as_of, "explain": "false"}, application, json_type, learn_decision),
        s("decide in a jurisdiction", "POST", decide, 200, "decide",
          lambda state: {**as_of, "jurisdiction": jurisdiction_choice(state)},
          application, json_type, in_jurisdiction),
        s("decide without a token", "POST", decide, 401, None, as_of, application, json_type),
        s("decide with a bad token", "POST", decide, 401, "bad", as_of, application, json_type),
        s("decide with an audit token", "POST", decide, 403, "audit", as_of, application, json_type),
        s("decide with an admin token", "POST", decide, 403, "admin", as_of, application, json_type),
        s("decide, unknown policy", "POST", "/v1/policies/no_such_policy/decisions", 404,
          "decide", as_of, application, json_type, kind="unknown_policy"),
        s("decide, as_of=notadate", "POST", decide, 400, "decide", {"as_of": "notadate"},
          application, json_type, kind="bad_request"),
        s("decide, explain=maybe", "POST", decide, 400, "decide", {**as_of, "explain": "maybe"},
          application, json_type, kind="bad_request"),
        s("decide, unknown query parameter", "POST", decide, 400, "decide",
          {**as_of, "colour": "blue"}, application, json_type, kind="bad_request"),
        s(f"decide, {len(oversize)}-byte body", "POST", decide, 413, "decide", as_of, oversize,
          json_type, duplex=True, kind="too_large"),
        s("decide, malformed JSON", "POST", decide, 422, "decide", as_of, b'{"id": ',
          json_type, kind="input_error"),
        s(f"decide, {field} of the wrong type", "POST", decide, 422, "decide", as_of,
          wrong_type, json_type, kind="input_error"),
        s("decide, a JSON array", "POST", decide, 422, "decide", as_of, b"[1, 2]", json_type,
          kind="input_error"),
        s("decide, empty body", "POST", decide, 422, "decide", as_of, b"", json_type,
          kind="input_error"),
        s("decide, unknown jurisdiction", "POST", decide, 422, "decide",
          {**as_of, "jurisdiction": "NO_SUCH_PLACE"}, application, json_type,
          kind="unknown_jurisdiction"),
        s("decide before the policy is in force", "POST", decide, 422, "decide",
          before_validity, application, json_type, kind="runtime_error"),
        # A batch.
        s("batch", "POST", batch_path, 200, "decide", as_of, batch, ndjson,
          batch_answers(batch_lines, {}), duplex=True),
        s("batch with a malformed, an oversize and a blank line", "POST", batch_path, 200,
          "decide", as_of, mixed_batch, ndjson,
          batch_answers([1, 2, 3, 5], {2: "input_error", 3: "too_large"}), duplex=True),
        s("batch without a token", "POST", batch_path, 401, None, as_of, one_line, ndjson),
        s("batch with a bad token", "POST", batch_path, 401, "bad", as_of, one_line, ndjson),
        s("batch with an audit token", "POST", batch_path, 403, "audit", as_of, one_line, ndjson),
        s("batch with an admin token", "POST", batch_path, 403, "admin", as_of, one_line, ndjson),
        s("batch, unknown policy", "POST", "/v1/policies/no_such_policy/decisions/batch", 404,
          "decide", as_of, one_line, ndjson, kind="unknown_policy"),
        s("batch, as_of=notadate", "POST", batch_path, 400, "decide", {"as_of": "notadate"},
          one_line, ndjson, kind="bad_request"),
        s("batch, explain (not taken)", "POST", batch_path, 400, "decide",
          {**as_of, "explain": "true"}, one_line, ndjson, kind="bad_request"),
        # A logged decision.
        s("logged decision", "GET", decision(), 200, "audit", check=stored),
        s("logged decision with a decide token", "GET", decision(), 403, "decide"),
        s("logged decision with an admin token", "GET", decision(), 403, "admin"),
        s("logged decision without a token", "GET", decision(), 401),
        s("logged decision with a bad token", "GET", decision(), 401, "bad"),
        s("logged decision, id abc", "GET", "/v1/decisions/abc", 400, "audit", kind="bad_request"),
        s("logged decision, id 0", "GET", "/v1/decisions/0", 400, "audit", kind="bad_request"),
        s("logged decision, unknown id", "GET", "/v1/decisions/999999999", 404, "audit",
          kind="not_found"),
        # Its trace.
        s("trace", "GET", decision("/trace"), 200, "audit", check=traced),
        s("trace, format=json", "GET", decision("/trace"), 200, "audit", {"format": "json"},
          check=traced),
        s("trace, audience=citizen lang=en", "GET", decision("/trace"), 200, "audit",
          {"audience": "citizen", "lang": "en"}, check=account),
        s("trace, format=html", "GET", decision("/trace"), 200, "audit", {"format": "html"}),
        s("trace, format=html lang=en", "GET", decision("/trace"), 200, "audit",
          {"format": "html", "lang": "en"}),
        s("trace, format=pdf", "GET", decision("/trace"), 400, "audit", {"format": "pdf"},
          kind="bad_request"),
        s("trace, audience=nobody", "GET", decision("/trace"), 400, "audit",
          {"audience": "nobody"}, kind="bad_request"),
        s("trace, unknown query parameter", "GET", decision("/trace"), 400, "audit",
          {"colour": "blue"}, kind="bad_request"),
        s("trace with a decide token", "GET", decision("/trace"), 403, "decide"),
        s("trace without a token", "GET", decision("/trace"), 401),
        s("trace with a bad token", "GET", decision("/trace"), 401, "bad"),
        s("trace, unknown id", "GET", "/v1/decisions/999999999/trace", 404, "audit",
          kind="not_found"),
        s("trace, id abc", "GET", "/v1/decisions/abc/trace", 400, "audit", kind="bad_request"),
        # Reload.
        s("reload", "POST", "/v1/admin/reload", 200, "admin", check=reloaded),
        s("reload with a decide token", "POST", "/v1/admin/reload", 403, "decide"),
        s("reload with an audit token", "POST", "/v1/admin/reload", 403, "audit"),
        s("reload without a token", "POST", "/v1/admin/reload", 401),
        s("reload with a bad token", "POST", "/v1/admin/reload", 401, "bad"),
        # Unknown route; metrics last, after every other kind of response.
        s("unknown route", "GET", "/v1/nowhere", 404, "audit", documented=False, kind="not_found"),
        s("unknown route without a token", "GET", "/v1/nowhere", 401, documented=False,
          kind="unauthorized"),
        s("health after reload", "GET", "/health", 200),
        s("metrics", "GET", "/metrics", 200, "audit", check=metrics),
    ]


def record_is(record: dict, policy: str, as_of: str) -> list[str]:
    problems = []
    if record.get("policy") != policy:
        problems.append(f"record of policy {record.get('policy')!r}, expected {policy!r}")
    if record.get("as_of") != as_of:
        problems.append(f"record as of {record.get('as_of')!r}, expected {as_of!r}")
    return problems


# MARK: - Running


def run(args: argparse.Namespace) -> int:
    spec = Spec(args.spec)
    failures = 0
    problem = spec.validate_document()
    if problem:
        print(f"FAIL {args.spec}: not valid OpenAPI 3.1: {problem}")
        return 1
    print(f"ok {args.spec} is valid OpenAPI {spec.doc.get('openapi')}")

    with open(args.application, "rb") as file:
        application = file.read()
    with open(args.batch, "rb") as file:
        batch = file.read()
    tokens = {"decide": args.decide_token, "audit": args.audit_token, "admin": args.admin_token,
              "bad": "not-a-token-the-service-knows"}
    state = State()
    covered: set[tuple[str, str]] = set()
    seen_statuses: dict[tuple[str, str], set[str]] = {}

    plan = scenarios(args, application, batch)
    answered = 0
    for scenario in plan:
        path = scenario.path(state) if callable(scenario.path) else scenario.path
        label = f"{scenario.method} {path or '(no path)'}"
        if path is None:
            print(f"FAIL {scenario.method} {scenario.name}: skipped, no decision id "
                  f"(the first decision failed)")
            failures += 1
            continue
        query = scenario.query(state) if callable(scenario.query) else scenario.query
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Accept": "*/*"}
        if scenario.token:
            headers["Authorization"] = f"Bearer {tokens[scenario.token]}"
        if scenario.content_type:
            headers["Content-Type"] = scenario.content_type
        url = args.base.rstrip("/") + target
        try:
            if scenario.duplex:
                answer = send_duplex(url, scenario.method, headers, scenario.body or b"", args.timeout)
            else:
                answer = send_urllib(url, scenario.method, headers, scenario.body, args.timeout)
        except OSError as error:
            print(f"FAIL {scenario.method} {target} ---: {scenario.name}: request failed: {error}")
            failures += 1
            if not answered:
                print(f"FAIL the service at {args.base} does not answer; stopping")
                return 1
            continue
        answered += 1

        problems: list[str] = []
        if answer.status != scenario.expect:
            problems.append(f"expected {scenario.expect}, got {answer.status}"
                            + _error_hint(answer))
        try:
            problems += conformance(
                spec, scenario.method, path, answer, scenario.documented,
                fallback_schema=pointer("components", "schemas", "Error"))
        except (LookupError, KeyError, TypeError) as error:
            problems.append(f"the document could not be walked: {error!r}")
        if scenario.kind and answer.status >= 400:
            problems += _kind_check(answer, scenario.kind)
        # Content checks run even after schema problems: they also learn the decision id.
        if scenario.check and answer.status == scenario.expect:
            try:
                problems += scenario.check(answer, state)
            except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
                problems.append(f"content check failed: {error!r}")
        found = spec.operation(scenario.method, path)
        if found:
            covered.add((scenario.method, found[0]))
            seen_statuses.setdefault((scenario.method, found[0]), set()).add(str(answer.status))

        if problems:
            failures += 1
            print(f"FAIL {label} {answer.status}: {scenario.name}: " + "; ".join(problems))
        else:
            print(f"ok {label} {answer.status}")

    for method, template, operation in spec.operations():
        if (method, template) not in covered:
            print(f"FAIL {method} {template}: no scenario exercises this operation")
            failures += 1
        elif args.verbose:
            documented = set(operation.get("responses", {}))
            unseen = sorted(documented - seen_statuses[(method, template)])
            if unseen:
                print(f"note {method} {template}: documented, not provoked: {', '.join(unseen)}")
    print(f"{failures} failed" if failures else f"all {len(plan) + 1} checks passed")
    return 1 if failures else 0


def _error_hint(answer: Answer) -> str:
    try:
        value = answer.json()
        if isinstance(value, dict) and "message" in value:
            return f" ({value.get('kind')}: {_shorten(str(value['message']))})"
    except (ValueError, UnicodeDecodeError):
        pass
    return ""


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _first_line(text: str) -> str:
    return _shorten(text.strip().split("\n")[0] if text.strip() else text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", required=True, help="the OpenAPI document (Docs/openapi.yaml)")
    parser.add_argument("--base", required=True, help="the service, e.g. http://127.0.0.1:8080")
    parser.add_argument("--decide-token", required=True, help="a token with role decide only")
    parser.add_argument("--audit-token", required=True,
                        help="a token with role audit only (not decide, not admin)")
    parser.add_argument("--admin-token", required=True, help="a token with role admin only")
    parser.add_argument("--policy", required=True, help="a policy the service has")
    parser.add_argument("--application", required=True, help="an application (one JSON object) it decides")
    parser.add_argument("--batch", required=True, help="applications, one per line (JSON Lines)")
    parser.add_argument("--as-of", default="2024-06-01", help="the as_of date sent (default %(default)s)")
    parser.add_argument("--oversize", type=int, default=2 * MiB,
                        help="bytes in the too-large body and batch line; more than the "
                             "service's --max-body (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request")
    parser.add_argument("--verbose", action="store_true",
                        help="also list documented statuses no scenario provoked")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
