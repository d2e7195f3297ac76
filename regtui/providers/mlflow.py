"""Read an MLflow tracking server's registry over its REST API with httpx (regtui[mlflow]); errors are one line.

Endpoints (MLflow REST API 2.0): registered-models/search and /get, model-versions/search, experiments/search,
runs/search and runs/get, model-versions/get-download-uri, and the artifact proxy `mlflow-artifacts/artifacts` of a
server started with `--serve-artifacts`. Artifact locations given as local paths or file:// URIs are read from disk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from regtui.domain.checksums import CHUNK_SIZE, file_uri_to_path, path_to_file_uri
from regtui.domain.mlflow import MlflowDataset, MlflowModel, MlflowRun, MlflowVersion
from regtui.domain.text import clean_single_line
from regtui.errors import InputError, NotFoundError, RegistryUnavailableError
from regtui.providers.http_artifacts import redact_url

if TYPE_CHECKING:
    import httpx

API = "/api/2.0/mlflow"
PROXY = "/api/2.0/mlflow-artifacts/artifacts"
PAGE = 1000
RUN_BATCH = 100
"""Run ids per `runs/search` request."""
RUN_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
"""A run id that can be quoted in a search filter as it is (MLflow's are hex)."""


@dataclass(frozen=True)
class ArtifactFile:
    """One file of a version's artifacts: its name under the version's folder, where to read it, its size."""

    name: str
    uri: str
    size: int | None = None


class MlflowReader:
    """A connection to one tracking server (keep-alive, thread-safe): the registry, runs and artifacts; `transport`
    replaces the network (tests replay recorded answers through httpx.MockTransport)."""

    def __init__(
        self, tracking_uri: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        try:
            import httpx
        except ImportError:
            raise InputError("import-mlflow needs httpx: pip install 'regtui[mlflow]'") from None
        parts = urlsplit(tracking_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"--tracking-uri {tracking_uri!r}: expected the http(s) URL of an MLflow tracking server")
        self.base = tracking_uri.rstrip("/")
        self.shown = redact_url(self.base)
        self.httpx = httpx
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True, transport=transport)

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def __enter__(self) -> MlflowReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET one API path as JSON; a 404 is NotFoundError, any other failure RegistryUnavailableError."""
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a JSON body to one API path (the searches that take one), answered as `get` is."""
        return self.call("POST", path, body=body)

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """One request answered in JSON; failures become one-line errors."""
        try:
            response = self.client.request(method, f"{self.base}{path}", params=params, json=body)
        except self.httpx.HTTPError as exc:
            raise RegistryUnavailableError(
                f"MLflow at {self.shown} did not answer ({type(exc).__name__})", title="MLflow unreachable"
            ) from None
        if response.status_code == 404:
            raise NotFoundError(clean_single_line(f"MLflow: {error_text(response)}"))
        if not response.is_success:
            raise RegistryUnavailableError(
                clean_single_line(
                    f"MLflow at {self.shown}: HTTP {response.status_code} on {path}: {error_text(response)}"
                )
            )
        try:
            return response.json()
        except ValueError:
            raise RegistryUnavailableError(f"MLflow at {self.shown}: {path} did not answer JSON") from None

    def pages(self, path: str, key: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a paginated search."""
        token = None
        while True:
            page = self.get(path, {**params, "max_results": PAGE, **({"page_token": token} if token else {})})
            yield from page.get(key) or ()
            token = page.get("next_page_token")
            if not token:
                return

    def models(self, names: Sequence[str] = ()) -> list[MlflowModel]:
        """The named registered models (all of them when no name is given), in name order."""
        if names:
            found = []
            for name in names:
                try:
                    found.append(self.get(f"{API}/registered-models/get", {"name": name})["registered_model"])
                except NotFoundError:
                    raise NotFoundError(f"MLflow at {self.shown} has no registered model {name!r}") from None
        else:
            found = list(self.pages(f"{API}/registered-models/search", "registered_models", {}))
        return sorted((model_of(raw) for raw in found), key=lambda m: m.name)

    def versions(self, model: str) -> list[MlflowVersion]:
        """A registered model's versions, oldest first."""
        escaped = model.replace("'", "\\'")
        raw = self.pages(f"{API}/model-versions/search", "model_versions", {"filter": f"name='{escaped}'"})
        return sorted((version_of(item) for item in raw), key=lambda v: v.number)

    def run(self, run_id: str) -> MlflowRun:
        """A run's latest metrics, params, tags and dataset inputs."""
        return run_of(self.get(f"{API}/runs/get", {"run_id": run_id})["run"])

    def runs(self, run_ids: Sequence[str]) -> dict[str, MlflowRun]:
        """Many runs by id in a few `runs/search` requests (RUN_BATCH ids each, over every experiment); a run
        the search does not return (a deleted one) is read with `runs/get`."""
        wanted = sorted({run_id for run_id in run_ids if run_id})
        found: dict[str, MlflowRun] = {}
        searchable = [run_id for run_id in wanted if RUN_ID.match(run_id)]
        if searchable:
            experiments = [str(e["experiment_id"]) for e in self.pages(f"{API}/experiments/search", "experiments", {})]
            for start in range(0, len(searchable), RUN_BATCH):
                ids = ", ".join(f"'{run_id}'" for run_id in searchable[start : start + RUN_BATCH])
                body = {"experiment_ids": experiments, "filter": f"attributes.run_id IN ({ids})"}
                for raw in self.post_pages(f"{API}/runs/search", "runs", body):
                    run = run_of(raw)
                    found[run.run_id] = run
        for run_id in wanted:
            if run_id not in found:
                found[run_id] = self.run(run_id)
        return found

    def post_pages(self, path: str, key: str, body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a paginated search that takes a JSON body."""
        token = None
        while True:
            page = self.post(path, {**body, "max_results": PAGE, **({"page_token": token} if token else {})})
            yield from page.get(key) or ()
            token = page.get("next_page_token")
            if not token:
                return

    def download_uri(self, version: MlflowVersion) -> str:
        """Where a model version's artifacts are stored (mlflow-artifacts:, file: or an object store URI)."""
        answer = self.get(f"{API}/model-versions/get-download-uri", {"name": version.model, "version": version.number})
        return str(answer["artifact_uri"])

    def artifact_files(self, location: str) -> list[ArtifactFile]:
        """Every file under an artifact location: through the server's artifact proxy, or from a local folder."""
        parts = urlsplit(location)
        if parts.scheme == "mlflow-artifacts":
            return self.proxy_files(parts.path.lstrip("/"), "")
        if parts.scheme in ("", "file"):
            return local_files(file_uri_to_path(location) if parts.scheme else Path(location))
        raise InputError(
            f"artifact location {location!r}: only the tracking server's artifact proxy (mlflow-artifacts:, "
            "`mlflow server --serve-artifacts`) and local paths are read here"
        )

    def proxy_files(self, root: str, under: str) -> list[ArtifactFile]:
        """Files below ROOT/UNDER through the proxy, depth first in name order."""
        listing = self.get(PROXY, {"path": f"{root}/{under}".rstrip("/")})
        files: list[ArtifactFile] = []
        for item in sorted(listing.get("files") or (), key=lambda f: f["path"]):
            name = f"{under}/{item['path']}".lstrip("/")
            if item.get("is_dir"):
                files += self.proxy_files(root, name)
            else:
                uri = f"{self.base}{PROXY}/{quote(f'{root}/{name}')}"
                files.append(ArtifactFile(name, uri, int(item["file_size"]) if "file_size" in item else None))
        return files

    def chunks(self, uri: str) -> Iterator[bytes]:
        """An artifact's bytes in chunks (http through this connection pool, file: from disk)."""
        if not uri.startswith(("http://", "https://")):
            with open(file_uri_to_path(uri), "rb") as handle:
                while chunk := handle.read(CHUNK_SIZE):
                    yield chunk
            return
        try:
            with self.client.stream("GET", uri) as response:
                if not response.is_success:
                    raise RegistryUnavailableError(
                        f"MLflow at {self.shown}: HTTP {response.status_code} fetching {redact_url(uri)}"
                    )
                yield from response.iter_bytes(chunk_size=CHUNK_SIZE)
        except self.httpx.HTTPError as exc:
            raise RegistryUnavailableError(f"fetching {redact_url(uri)} failed ({type(exc).__name__})") from None


def error_text(response: httpx.Response) -> str:
    """MLflow's error message from a failed response, else its status text."""
    try:
        return str(response.json().get("message") or response.reason_phrase)
    except ValueError:
        return response.reason_phrase


def tags_of(raw: Any) -> dict[str, str]:
    """MLflow's [{key, value}] tag list as a mapping."""
    return {str(t["key"]): str(t.get("value") or "") for t in raw or ()}


def model_of(raw: Mapping[str, Any]) -> MlflowModel:
    """A registered model from its JSON."""
    return MlflowModel(
        name=str(raw["name"]),
        description=str(raw.get("description") or ""),
        tags=tags_of(raw.get("tags")),
        aliases={str(a["alias"]): str(a["version"]) for a in raw.get("aliases") or ()},
    )


def version_of(raw: Mapping[str, Any]) -> MlflowVersion:
    """A model version from its JSON."""
    return MlflowVersion(
        model=str(raw["name"]),
        number=int(raw["version"]),
        stage=str(raw.get("current_stage") or "None"),
        run_id=str(raw.get("run_id") or ""),
        source=str(raw.get("source") or ""),
        created_ms=int(raw.get("creation_timestamp") or 0),
        description=str(raw.get("description") or ""),
        user_id=str(raw.get("user_id") or ""),
        tags=tags_of(raw.get("tags")),
        status=str(raw.get("status") or "READY"),
    )


def run_of(raw: Mapping[str, Any]) -> MlflowRun:
    """A run from its JSON: latest metric values, params, tags, dataset inputs."""
    data = raw.get("data") or {}
    inputs = (raw.get("inputs") or {}).get("dataset_inputs") or ()
    return MlflowRun(
        run_id=str((raw.get("info") or {}).get("run_id") or ""),
        metrics={str(m["key"]): float(m["value"]) for m in data.get("metrics") or ()},
        params={str(p["key"]): str(p.get("value") or "") for p in data.get("params") or ()},
        tags=tags_of(data.get("tags")),
        datasets=tuple(dataset_of(item) for item in inputs),
    )


def dataset_of(raw: Mapping[str, Any]) -> MlflowDataset:
    """A dataset input from its JSON, with its `mlflow.data.context` tag."""
    dataset = raw.get("dataset") or {}
    return MlflowDataset(
        name=str(dataset.get("name") or "dataset"),
        digest=str(dataset.get("digest") or ""),
        source=str(dataset.get("source") or ""),
        context=tags_of(raw.get("tags")).get("mlflow.data.context", ""),
    )


def local_files(folder: Path) -> list[ArtifactFile]:
    """Every file under a local artifact folder (or the file itself), in name order."""
    if folder.is_file():
        return [ArtifactFile(folder.name, path_to_file_uri(folder), folder.stat().st_size)]
    if not folder.is_dir():
        raise InputError(f"artifact folder {folder} does not exist here")
    found = []
    for directory, _subdirs, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            found.append(ArtifactFile(path.relative_to(folder).as_posix(), path_to_file_uri(path), path.stat().st_size))
    return sorted(found, key=lambda f: f.name)
