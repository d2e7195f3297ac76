"""Every `regtui` command with its one-line help and the module that configures and runs it.

The modules are imported only when their command is parsed, so the dashboard (no command) and `regtui --help`
never pay for the others' imports.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regtui.services.handle import ServiceHandle

Configure = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace, Any], int]
"""A command: its parsed arguments and the RegistryService (or, for a module with TAKES_HANDLE, the ServiceHandle)."""

CORE = "regtui.cli.commands"
WORKFLOW = "regtui.cli.workflow_commands"
PROVIDERS = "regtui.cli.provider_commands"
MLFLOW = "regtui.cli.mlflow_commands"
READS = "regtui.cli.read_commands"
LOOKUPS = "regtui.cli.lookup_commands"
ARTIFACTS = "regtui.cli.artifact_commands"
VERIFY = "regtui.cli.verify_commands"

CATALOG: dict[str, tuple[str, str]] = {
    "demo": ("build the demo registry from the bundled fixtures and open it", CORE),
    "init": ("create or upgrade the registry schema", CORE),
    "import": ("import YAML manifests (files or folders), all or nothing", CORE),
    "export": ("export the registry as YAML manifests", CORE),
    "register": ("register one version from a manifest, reading and hashing its artifacts", CORE),
    "import-mlflow": ("import an MLflow model registry: versions, runs, stages, artifacts hashed", MLFLOW),
    "models": ("list models", READS),
    "versions": ("list a model's versions", LOOKUPS),
    "show": ("show one version (MODEL@VERSION or MODEL@STAGE)", READS),
    "resolve": ("resolve MODEL@STAGE or MODEL@VERSION to its version, digests and artifact URIs", LOOKUPS),
    "diff": ("evaluation diff of two versions: metrics, deltas, gate thresholds", READS),
    "verify": ("re-hash artifacts against their recorded SHA-256; exit 1 on a mismatch", VERIFY),
    "pull": (
        "download a version's artifacts into a folder, verified (exit 1, folder unchanged, on a mismatch)",
        ARTIFACTS,
    ),
    "storage": ("`storage check [MODEL]`: bucket settings against the lifecycle; exit 1 on a finding", ARTIFACTS),
    "retention": ("versions past their retention and the artifacts no longer needed (deletes nothing)", ARTIFACTS),
    "sync": ("pull the registry into the local cache and print what changed", CORE),
    "promote": ("request a stage change; applied when its gate passes (exit 3 while pending)", WORKFLOW),
    "requests": ("open promotion requests (the approval queue)", WORKFLOW),
    "approve": ("approve a promotion request", WORKFLOW),
    "reject": ("reject a promotion request (comment required)", WORKFLOW),
    "attest": ("attest a section of a version's model card (fairness) as a reviewer", WORKFLOW),
    "rollback": ("roll a model back to an earlier Production version", WORKFLOW),
    "drill": ("rollback drill: the full procedure, not committed, outcome logged", WORKFLOW),
    "audit": ("the promotion log (--follow streams it); `audit verify` proves its hash chain", READS),
    "roles": ("list identities and roles, or set them (admin)", WORKFLOW),
    "users": ("add a person: registry roles and, on PostgreSQL, their login's grants (admin)", WORKFLOW),
    "policy": ("show the governance policy, or set it from a YAML file (admin)", WORKFLOW),
    "providers": ("third-party provider models: feeds, change log, qualification, pins", PROVIDERS),
}
"""Command name -> (help, module whose COMMANDS maps the name to its (configure, handler)); in `--help` order."""


def command(name: str) -> tuple[Configure, Handler]:
    """A command's configure and handler functions, importing its module."""
    module = importlib.import_module(CATALOG[name][1])
    functions: dict[str, tuple[Configure, Handler]] = module.COMMANDS
    return functions[name]


def takes_handle(name: str) -> bool:
    """Whether a command's handler takes the ServiceHandle (reads that may never need the ORM) rather than the
    registry service."""
    return bool(getattr(importlib.import_module(CATALOG[name][1]), "TAKES_HANDLE", False))


def run_tui(args: argparse.Namespace, services: ServiceHandle) -> int:
    """Open the terminal dashboard on the registry."""
    from regtui.tui.app import run_app

    return run_app(services, readonly=args.readonly)
