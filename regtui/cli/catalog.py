"""Every `regtui` command with its one-line help and the module that configures and runs it.

The modules are imported only when their command is parsed, so the dashboard (no command) and `regtui --help`
never pay for the others' imports.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regtui.services.handle import ServiceHandle
    from regtui.services.registry import RegistryService

Configure = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace, "RegistryService"], int]

CORE = "regtui.cli.commands"
WORKFLOW = "regtui.cli.workflow_commands"
PROVIDERS = "regtui.cli.provider_commands"
MLFLOW = "regtui.cli.mlflow_commands"

CATALOG: dict[str, tuple[str, str]] = {
    "demo": ("build the demo registry from the bundled fixtures and open it", CORE),
    "init": ("create or upgrade the registry schema", CORE),
    "import": ("import YAML manifests (files or folders), all or nothing", CORE),
    "export": ("export the registry as YAML manifests", CORE),
    "register": ("register one version from a manifest", CORE),
    "import-mlflow": ("import an MLflow model registry: versions, runs, stages, artifacts hashed", MLFLOW),
    "models": ("list models", CORE),
    "versions": ("list a model's versions", CORE),
    "show": ("show one version", CORE),
    "verify": ("re-hash artifacts against their recorded SHA-256; exit 1 on a mismatch", CORE),
    "sync": ("pull the registry into the local cache and print what changed", CORE),
    "promote": ("request a stage change; applied when its gate passes (exit 3 while pending)", WORKFLOW),
    "requests": ("open promotion requests (the approval queue)", WORKFLOW),
    "approve": ("approve a promotion request", WORKFLOW),
    "reject": ("reject a promotion request (comment required)", WORKFLOW),
    "rollback": ("roll a model back to an earlier Production version", WORKFLOW),
    "drill": ("rollback drill: the full procedure, not committed, outcome logged", WORKFLOW),
    "audit": ("the promotion log; `audit verify` proves its hash chain", WORKFLOW),
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


def run_tui(args: argparse.Namespace, services: ServiceHandle) -> int:
    """Open the terminal dashboard on the registry."""
    from regtui.tui.app import run_app

    return run_app(services, readonly=args.readonly)
