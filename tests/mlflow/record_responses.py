"""Record a seeded MLflow server's answers to every request regtui's importer makes, for the replay tests.

    source .ci/servers/mlflow.sh          # a freshly seeded server (.ci/servers/mlflow_seed.py)
    .venv/bin/python tests/mlflow/record_responses.py "$REGTUI_TEST_MLFLOW_URL"

Writes tests/mlflow/recorded/seeded.json: each request's path and query with its status and body. Each run is
recorded from `runs/get`, which the replay also answers `runs/search` from, whatever run ids a search names.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from regtui.providers.mlflow import MlflowReader
from tests.mlflow.replay import SEEDED, request_key, response_record

MODELS = ("fraud-detector", "Churn Model")


class Recording(httpx.BaseTransport):
    """The network, with every answer kept by request key."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.responses: dict[str, Any] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward, keep the answer, hand it on."""
        response = self.inner.handle_request(request)
        response.read()
        self.responses[request_key(request)] = response_record(response)
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def main() -> None:
    """Ask what the importer asks (models by name and all of them, versions, runs, artifacts) and save it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracking_uri")
    args = parser.parse_args()
    recording = Recording()
    with MlflowReader(args.tracking_uri, transport=recording) as reader:
        reader.models()
        for model in reader.models(MODELS):
            versions = reader.versions(model.name)
            reader.runs([version.run_id for version in versions])
            for version in versions:
                reader.run(version.run_id)
                reader.download_uri(version)
                for item in reader.artifact_files(version.source):
                    b"".join(reader.chunks(item.uri))
    SEEDED.parent.mkdir(exist_ok=True)
    document = {"recorded_from": ".ci/servers/mlflow_seed.py", "responses": recording.responses}
    SEEDED.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(recording.responses)} answers written to {SEEDED}")


if __name__ == "__main__":
    main()
