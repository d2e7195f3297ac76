"""The workflow commands: promote, requests, approve, reject, attest, rollback, drill, roles, policy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from regtui.cli.catalog import Configure, Handler
from regtui.cli.commands import fresh_read, split_ref
from regtui.cli.output import print_json, print_table, say
from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.domain.evidence import CONDITIONS, load_evidence_file, parse_evidence
from regtui.domain.limits import FILE_BYTES
from regtui.domain.manifest import dump_yaml
from regtui.domain.policy import load_policy_text, policy_document
from regtui.domain.roles import Role
from regtui.errors import CheckFailedError, InputError, PendingError
from regtui.input_files import read_text
from regtui.services import admin, promotion
from regtui.services.registry import RegistryService


def _stage(text: str) -> Stage:
    """A stage name, case-insensitive."""
    for stage in Stage:
        if stage.value.lower() == text.lower():
            return stage
    raise argparse.ArgumentTypeError(f"unknown stage {text!r} (choose from {', '.join(s.value for s in Stage)})")


def _configure_promote(parser: argparse.ArgumentParser) -> None:
    """Options of `promote`."""
    parser.add_argument("ref", metavar="MODEL@VERSION")
    parser.add_argument("--to", dest="to_stage", type=_stage, required=True, metavar="STAGE")
    parser.add_argument(
        "--evidence",
        type=Path,
        metavar="FILE",
        help="gate evidence (YAML/JSON): review, canary_results, archival_checklist",
    )
    parser.add_argument("--reason", help="why (needed to abandon, to retire, or for a failed canary)")
    parser.add_argument("--canary-share", type=float, metavar="PCT", help="share of traffic for a Canary")
    parser.add_argument(
        "--condition",
        dest="conditions",
        action="append",
        metavar="TEXT",
        help="a condition the promotion is approved under (repeatable; replaces the request's conditions)",
    )


def cmd_promote(args: argparse.Namespace, service: RegistryService) -> int:
    """Open or reuse a request, evaluate its gate, apply it when it passes; exit 3 while pending."""
    model, version = split_ref(args.ref)
    evidence = load_evidence_file(args.evidence) if args.evidence else None
    if args.conditions:
        evidence = {**(evidence or {}), **parse_evidence({CONDITIONS: args.conditions}, "--condition")}
    outcome = promotion.promote(
        service, model, version, args.to_stage, evidence=evidence, reason=args.reason, canary_share=args.canary_share
    )
    if args.json:
        print_json(
            {
                "ref": outcome.ref,
                "from": outcome.from_stage,
                "to": outcome.to_stage,
                "applied": outcome.applied,
                "request": outcome.request_id,
                "replaced": outcome.replaced,
                "missing": outcome.missing,
                "gate": outcome.gate.to_dict(),
            }
        )
    else:
        _print_gate(outcome.gate)
    if outcome.applied:
        if not args.json:
            replaced = f"; {model}@{outcome.replaced} archived" if outcome.replaced else ""
            say(f"{outcome.ref}: {outcome.from_stage} -> {outcome.to_stage}{replaced}")
        return 0
    raise PendingError(
        f"request #{outcome.request_id} for {outcome.ref} -> {outcome.to_stage} is pending; "
        f"missing: {', '.join(outcome.missing)}"
    )


def _print_gate(gate: Any) -> None:
    """The gate checklist, one line per check."""
    for check in gate.checks:
        say(f"  [{'x' if check.passed else ' '}] {check.name}: {check.detail}")


def _configure_requests(parser: argparse.ArgumentParser) -> None:
    """Options of `requests`."""
    parser.add_argument("--mine", action="store_true", help="only requests you can act on now")


def cmd_requests(args: argparse.Namespace, service: RegistryService) -> int:
    """The approval queue: open requests and what each still needs."""
    fresh_read(service, args)
    views = promotion.open_requests(service, mine=args.mine)
    if args.json:
        print_json(
            [
                {
                    "id": v.id,
                    "ref": v.ref,
                    "from": v.from_stage,
                    "to": v.to_stage,
                    "requested_by": v.requested_by,
                    "requested_at": v.requested_at,
                    "reason": v.reason,
                    "conditions": list(v.conditions),
                    "missing": v.gate.missing,
                    "you_can_approve_as": v.can_approve,
                    "you_can_apply": v.can_apply,
                    "gate": v.gate.to_dict(),
                }
                for v in views
            ]
        )
        return 0
    print_table(
        ["ID", "VERSION", "MOVE", "REQUESTED BY", "REQUESTED", "MISSING", "CONDITIONS", "YOU"],
        [
            [
                f"#{v.id}",
                v.ref,
                f"{v.from_stage}->{v.to_stage}",
                v.requested_by,
                v.requested_at,
                ", ".join(v.gate.missing) or "nothing",
                "; ".join(v.conditions) or "-",
                _you(v),
            ]
            for v in views
        ],
    )
    return 0


def _you(view: promotion.RequestView) -> str:
    """What the caller can do with a request."""
    if view.can_approve:
        return f"approve as {view.can_approve}"
    return "apply" if view.can_apply else "-"


def _configure_decide(parser: argparse.ArgumentParser, comment_required: bool) -> None:
    """Options of `approve` and `reject`."""
    parser.add_argument("request", type=_request_id, metavar="REQUEST", help="request id (#12 or 12)")
    parser.add_argument("--comment", required=comment_required, default="", help="what you reviewed, or why not")


def _request_id(text: str) -> int:
    """A request id typed as 12 or #12."""
    try:
        return int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a request id: {text!r}") from None


def _decide(args: argparse.Namespace, service: RegistryService, decision: Decision) -> int:
    """Record a decision and print the request's remaining needs."""
    outcome = promotion.decide(service, args.request, decision, args.comment)
    if args.json:
        print_json(
            {
                "request": outcome.request_id,
                "ref": outcome.ref,
                "decision": outcome.decision,
                "capacity": outcome.capacity,
                "missing": outcome.gate.missing,
                "gate": outcome.gate.to_dict(),
            }
        )
        return 0
    verb = "approved" if decision is Decision.APPROVE else "rejected"
    say(f"{verb} request #{outcome.request_id} ({outcome.ref}) as {outcome.capacity}")
    if decision is Decision.APPROVE:
        say(f"still missing: {', '.join(outcome.gate.missing) or 'nothing'}")
    return 0


def cmd_approve(args: argparse.Namespace, service: RegistryService) -> int:
    """Approve an open request."""
    return _decide(args, service, Decision.APPROVE)


def cmd_reject(args: argparse.Namespace, service: RegistryService) -> int:
    """Reject an open request (a comment is required)."""
    return _decide(args, service, Decision.REJECT)


def _configure_attest(parser: argparse.ArgumentParser) -> None:
    """Options of `attest`."""
    parser.add_argument("ref", metavar="MODEL@VERSION")
    parser.add_argument("subject", metavar="SUBJECT", help="what you attest: fairness")
    parser.add_argument("--comment", required=True, help="what you checked")


def cmd_attest(args: argparse.Namespace, service: RegistryService) -> int:
    """Record an attestation (a reviewer's decision in the log) that a model-card section holds."""
    model, version = split_ref(args.ref)
    outcome = promotion.attest(service, model, version, args.subject, args.comment)
    if args.json:
        print_json(outcome)
    else:
        say(f"{outcome.ref}: {outcome.subject} attested by {outcome.attested_by}")
    return 0


def _configure_rollback(parser: argparse.ArgumentParser) -> None:
    """Options of `rollback`."""
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("--to", dest="to_version", required=True, metavar="VERSION")
    parser.add_argument("--reason", required=True, help="incident reference")
    parser.add_argument("--dry-run", action="store_true", help="show what would happen, change nothing")


def cmd_rollback(args: argparse.Namespace, service: RegistryService) -> int:
    """Roll a model back to an earlier Production version (checksums re-verified)."""
    outcome = promotion.rollback(service, args.model, args.to_version, args.reason, dry_run=args.dry_run)
    if args.json:
        print_json(
            {
                "model": outcome.model,
                "to": outcome.to_version,
                "from": outcome.from_version,
                "reason": outcome.reason,
                "verified": list(outcome.verified),
                "dry_run": args.dry_run,
            }
        )
        return 0
    prefix = "dry run: would roll back" if args.dry_run else "rolled back"
    say(
        f"{prefix} {outcome.model} from {outcome.from_version or '-'} to {outcome.to_version} "
        f"({len(outcome.verified)} artifact(s) verified); {outcome.from_version or 'nothing'} -> Archived"
    )
    return 0


def _configure_model(parser: argparse.ArgumentParser) -> None:
    """A single MODEL argument."""
    parser.add_argument("model", metavar="MODEL")


def cmd_drill(args: argparse.Namespace, service: RegistryService) -> int:
    """Rollback drill: the whole procedure, not committed; the outcome is logged."""
    outcome = promotion.drill(service, args.model)
    if args.json:
        print_json(outcome)
    else:
        say(
            f"drill {'PASSED' if outcome.passed else 'FAILED'} for {outcome.model} "
            f"in {outcome.duration_ms} ms: {outcome.detail}"
        )
    if not outcome.passed:
        raise CheckFailedError(f"rollback drill of {outcome.model} failed: {outcome.detail}")
    return 0


def _configure_roles(parser: argparse.ArgumentParser) -> None:
    """Options of `roles`."""
    parser.add_argument("action", choices=["list", "set"], help="list identities, or set one's roles")
    parser.add_argument("identity", nargs="?")
    parser.add_argument("roles", nargs="*", metavar="ROLE", help=", ".join(r.value for r in Role))
    parser.add_argument("--teams", help="comma-separated teams (replaces the identity's teams)")


def cmd_roles(args: argparse.Namespace, service: RegistryService) -> int:
    """List identities and roles, or set an identity's roles (admin)."""
    if args.action == "set":
        if not args.identity:
            raise InputError("roles set needs IDENTITY and ROLE...")
        roles = _parsed_roles(args.roles)
        admin.set_roles(service, args.identity, roles, _parsed_teams(args.teams))
        say(f"{args.identity}: roles {', '.join(r.value for r in roles) or 'none'}")
        return 0
    return _list_users(args, service)


def _list_users(args: argparse.Namespace, service: RegistryService) -> int:
    """Print the registry's identities with their roles and teams."""
    fresh_read(service, args)
    users = admin.users(service)
    if args.json:
        print_json(users)
        return 0
    print_table(["IDENTITY", "NAME", "ROLES", "TEAMS"], [[u.identity, u.name, u.roles, u.teams] for u in users])
    return 0


def _parsed_roles(names: list[str]) -> list[Role]:
    """Registry roles from their names (InputError naming the roles that exist)."""
    try:
        return [Role(r) for r in names]
    except ValueError as exc:
        raise InputError(f"{exc}; roles are {', '.join(r.value for r in Role)}") from None


def _parsed_teams(teams: str | None) -> list[str] | None:
    """Teams from a comma-separated option (None: keep the identity's teams)."""
    return [t.strip() for t in teams.split(",") if t.strip()] if teams is not None else None


def _configure_users(parser: argparse.ArgumentParser) -> None:
    """Options of `users`."""
    parser.add_argument("action", choices=["list", "add"], help="list people, or add (or change) one")
    parser.add_argument("login", nargs="?", metavar="LOGIN", help="the PostgreSQL login (SQLite: the identity)")
    parser.add_argument(
        "--role", dest="roles", action="append", default=[], metavar="ROLE", help=", ".join(r.value for r in Role)
    )
    parser.add_argument("--teams", help="comma-separated teams (replaces the person's teams)")
    parser.add_argument(
        "--create-login",
        action="store_true",
        help="PostgreSQL: create the login too (set its password with \\password)",
    )


def cmd_users(args: argparse.Namespace, service: RegistryService) -> int:
    """Add a person: their registry roles and, on PostgreSQL, their login's group roles (admin)."""
    if args.action == "list":
        return _list_users(args, service)
    if not args.login or not args.roles:
        raise InputError("users add needs LOGIN and at least one --role")
    roles = _parsed_roles(args.roles)
    admin.add_user(service, args.login, roles, _parsed_teams(args.teams), create_login=args.create_login)
    say(f"{args.login}: roles {', '.join(r.value for r in roles)}")
    return 0


def _configure_policy(parser: argparse.ArgumentParser) -> None:
    """Options of `policy`."""
    parser.add_argument("action", choices=["show", "set"])
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE")


def cmd_policy(args: argparse.Namespace, service: RegistryService) -> int:
    """Show the registry's policy, or replace it from a YAML file (admin)."""
    if args.action == "set":
        if args.file is None:
            raise InputError("policy set needs FILE")
        text = read_text(args.file, FILE_BYTES["policy"], "policy")
        changed = admin.set_registry_policy(service, load_policy_text(text, str(args.file)))
        say("policy updated" if changed else "policy unchanged")
        return 0
    fresh_read(service, args)
    document = policy_document(admin.policy(service))
    if args.json:
        print_json(document)
    else:
        print(dump_yaml(document), end="")
    return 0


COMMANDS: dict[str, tuple[Configure, Handler]] = {
    "promote": (_configure_promote, cmd_promote),
    "requests": (_configure_requests, cmd_requests),
    "approve": (lambda p: _configure_decide(p, False), cmd_approve),
    "reject": (lambda p: _configure_decide(p, True), cmd_reject),
    "attest": (_configure_attest, cmd_attest),
    "rollback": (_configure_rollback, cmd_rollback),
    "drill": (_configure_model, cmd_drill),
    "roles": (_configure_roles, cmd_roles),
    "users": (_configure_users, cmd_users),
    "policy": (_configure_policy, cmd_policy),
}
"""Command name -> (configure, handler); the help texts are in regtui.cli.catalog."""
