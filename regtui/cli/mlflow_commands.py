"""`regtui import-mlflow`: bring an MLflow model registry in (docs/mlflow-import.md)."""

from __future__ import annotations

import argparse

from regtui.cli.catalog import Configure, Handler
from regtui.cli.output import print_json, print_table, say
from regtui.services.mlflow_import import MlflowImportOptions, MlflowImportReport, PlannedVersion, import_mlflow
from regtui.services.registry import RegistryService


def _configure(parser: argparse.ArgumentParser) -> None:
    """Options of `import-mlflow`."""
    parser.add_argument("--tracking-uri", required=True, metavar="URL", help="the MLflow tracking server")
    parser.add_argument("--model", action="append", default=[], metavar="NAME", help="only this model (repeatable)")
    parser.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="ALIAS=STAGE",
        help="an MLflow alias that means a regtui stage, e.g. champion=Production (repeatable)",
    )
    parser.add_argument(
        "--place-stages",
        action="store_true",
        help="admin decision: place versions in their MLflow stage (logged with the gates they do not meet)",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the mapping and gate gaps, write nothing")


def cmd_import_mlflow(args: argparse.Namespace, service: RegistryService) -> int:
    """Import what is new in MLflow; report what moved there since the last import."""
    options = MlflowImportOptions(
        tracking_uri=args.tracking_uri,
        models=tuple(args.model),
        aliases=tuple(args.alias),
        dry_run=args.dry_run,
        place_stages=args.place_stages,
    )
    report = import_mlflow(service, options)
    if args.json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    return 0


def _print_report(report: MlflowImportReport) -> None:
    """The versions (MLflow -> regtui), what their stage's gates lack, and what moved in MLflow."""
    verb = "would import" if report.dry_run else "imported"
    before = report.already_imported
    say(f"{verb} {len(report.versions)} version(s) from {report.tracking_uri}; {before} imported before")
    if report.versions:
        print_table(
            ["MLFLOW", "REGTUI", "RULE", "MLFLOW STAGE", "STAGE", "RUN", "COMMIT", "GATES STILL LACK"],
            [
                [
                    f"{v.mlflow_model} v{v.mlflow_version}",
                    v.ref,
                    v.semver_rule,
                    v.mlflow_stage + (f" ({', '.join(v.aliases)})" if v.aliases else ""),
                    v.stage.value,
                    v.run_id[:12] or "-",
                    v.git_commit[:12] or "-",
                    _gaps_text(v),
                ]
                for v in report.versions
            ],
        )
    for change in report.changes:
        say(f"changed in MLflow: {change.model} v{change.version} ({change.ref}): {change.what} (not applied)")


def _gaps_text(version: PlannedVersion) -> str:
    """'Development -> Staging: threshold auc >= 0.9; ...' or 'nothing'."""
    return "; ".join(f"{gap.gate}: {', '.join(gap.missing)}" for gap in version.gaps) or "nothing"


COMMANDS: dict[str, tuple[Configure, Handler]] = {
    "import-mlflow": (_configure, cmd_import_mlflow),
}
"""Command name -> (configure, handler); the help text is in regtui.cli.catalog."""
