"""Recorded MLflow answers (tests/mlflow/recorded/*.json, made by record_responses.py) replayed through httpx."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from regtui.providers.mlflow import PAGE, MlflowReader

RECORDED = Path(__file__).with_name("recorded")
SEEDED = RECORDED / "seeded.json"
TRACKING_URI = "http://mlflow.test:5000"
RUN_SEARCH = "/api/2.0/mlflow/runs/search"


def request_key(request: httpx.Request) -> str:
    """A request as `PATH?sorted query`, and ` BODY` (its JSON, keys sorted) when it has one: the same on any host
    and port."""
    query = sorted(parse_qsl(request.url.query.decode(), keep_blank_values=True))
    key = f"{request.url.path}?{urlencode(query)}"
    body = request.read()
    return f"{key} {json.dumps(json.loads(body), sort_keys=True)}" if body else key


def response_record(response: httpx.Response) -> dict[str, Any]:
    """A response as JSON when it is JSON, else as base64 bytes."""
    try:
        return {"status": response.status_code, "json": response.json()}
    except ValueError:
        return {"status": response.status_code, "base64": base64.b64encode(response.content).decode()}


def load_recording(path: Path = SEEDED) -> dict[str, Any]:
    """A recording: its `responses` by request key (a deep copy, for tests to edit)."""
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


class Replay:
    """A MockTransport over a recording; requests it does not hold answer 404, as MLflow does."""

    def __init__(self, recording: dict[str, Any]) -> None:
        self.responses: dict[str, Any] = recording["responses"]
        self.requests: list[str] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request from the recording (a run search from the recorded runs, whichever ids it asks)."""
        key = request_key(request)
        self.requests.append(key)
        if request.url.path == RUN_SEARCH:
            return httpx.Response(200, json={"runs": self.searched_runs(json.loads(request.read()))})
        record = self.responses.get(key)
        if record is None:
            return httpx.Response(404, json={"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"no {key}"})
        if "json" in record:
            return httpx.Response(record["status"], json=record["json"])
        return httpx.Response(record["status"], content=base64.b64decode(record["base64"]))

    def searched_runs(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The recorded runs (from `runs/get`) a `runs/search` body's `attributes.run_id IN (...)` names."""
        found = []
        for run_id in re.findall(r"'([^']+)'", body.get("filter", "")):
            record = self.responses.get(f"/api/2.0/mlflow/runs/get?{urlencode({'run_id': run_id})}")
            if record is not None:
                found.append(record["json"]["run"])
        return found

    def opener(self) -> Callable[[str], MlflowReader]:
        """What import_mlflow opens a reader with: this replay instead of the network."""
        return lambda uri: MlflowReader(uri, transport=self.transport)

    def versions(self, model: str) -> list[dict[str, Any]]:
        """The recorded version list of a model, to edit (move a stage, add a version)."""
        query = urlencode(sorted([("filter", f"name='{model}'"), ("max_results", str(PAGE))]))
        return self.responses[f"/api/2.0/mlflow/model-versions/search?{query}"]["json"]["model_versions"]

    def set_stage(self, model: str, number: int, stage: str) -> None:
        """Move a recorded version to another legacy stage, as MLflow would show it."""
        for version in self.versions(model):
            if version["version"] == str(number):
                version["current_stage"] = stage

    def set_alias(self, model: str, alias: str, number: int) -> None:
        """Point an alias at a version in every recorded answer about the model."""
        for record in self.model_records(model):
            aliases = [a for a in record.get("aliases", []) if a["alias"] != alias]
            record["aliases"] = [*aliases, {"alias": alias, "version": str(number)}]

    def model_records(self, model: str) -> list[dict[str, Any]]:
        """The registered model as recorded by get and by search."""
        found = [self.responses[f"/api/2.0/mlflow/registered-models/get?{urlencode({'name': model})}"]["json"]]
        found[0] = found[0]["registered_model"]
        search = self.responses[f"/api/2.0/mlflow/registered-models/search?max_results={PAGE}"]["json"]
        return found + [m for m in search["registered_models"] if m["name"] == model]
