"""The shared registry's registration write path: init, register, import; every write is one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.entry import Stage
from regtui.domain.hashchain import verify_chain
from regtui.domain.manifest import LogManifest, ManifestSet, ModelSpec, RequestRecord, UserSpec, VersionManifest
from regtui.domain.reports import ImportReport
from regtui.domain.roles import Role
from regtui.domain.versioning import check_version, precedence_key
from regtui.errors import InputError, RuleError
from regtui.store.access import has_admin
from regtui.store.log import append_event, restore_event
from regtui.store.mapping import artifact_rows, entry_to_row, row_to_entry
from regtui.store.policies import set_policy, store_policy
from regtui.store.provider_registry import Writer, import_providers
from regtui.store.schema import next_change
from regtui.store.tables import ApprovalRow, ArtifactRow, EventRow, ModelRow, RequestRow, UserRow, VersionRow


def grant_initial_admin(session: Session, identity: str) -> bool:
    """Make the identity that initialises a registry without an admin its first admin."""
    if has_admin(session):
        return False
    seq = next_change(session)
    row = session.get(UserRow, identity)
    if row is None:
        session.add(UserRow(identity=identity, name=identity, roles=[Role.ADMIN.value], teams=[], change_seq=seq))
    else:
        row.roles = sorted({*row.roles, Role.ADMIN.value})
        row.change_seq = seq
    return True


def import_manifests(
    session: Session, manifests: ManifestSet, *, actor: str, now: datetime, restore: bool
) -> ImportReport:
    """Apply users, models, a restored log and versions in the caller's transaction (all or nothing).

    `restore` (import) keeps each manifest's stage and provenance; without it (register) a version must
    arrive in Development. The caller checks the right it needs (ManifestSet.required_right).
    """
    if not restore:
        _refuse_state(manifests.versions)
    seq = next_change(session)
    report = ImportReport()
    for registry in manifests.registries:
        report.users += [u.identity for u in registry.users if _upsert_user(session, u, seq)]
        report.models += [m.name for m in registry.models if _upsert_model(session, m, seq)]
    for log in manifests.logs:
        report.log_entries += _restore_log(session, log, seq)
    log_registrations = not manifests.logs
    for policy in manifests.policies:
        if log_registrations:
            report.policy |= set_policy(session, policy, actor=actor, now=now, seq=seq)
        else:
            by, at = _last_policy_change(manifests.logs, default=(actor, now))
            report.policy |= store_policy(session, policy, actor=by, now=at, seq=seq)
    providers = Writer(session, actor, now, seq, log=log_registrations)
    report.providers = sum(import_providers(providers, manifest) for manifest in manifests.providers)
    for manifest in _parents_first(manifests.versions):
        if _register_one(session, manifest, seq=seq, actor=actor, now=now, log=log_registrations):
            report.registered.append(manifest.entry.ref)
        else:
            report.unchanged.append(manifest.entry.ref)
    report.requests = sum(_restore_request(session, record, seq) for record in manifests.requests)
    if manifests.requests and not is_sqlite_session(session):
        session.connection().exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('promotion_request', 'id'), (SELECT max(id) FROM promotion_request))"
        )
    return report


def _refuse_state(versions: list[VersionManifest]) -> None:
    """`register` only adds Development versions; stages change through promotion."""
    for manifest in versions:
        if manifest.stage is not Stage.DEVELOPMENT:
            raise RuleError(
                f"{manifest.entry.ref}: register adds versions in Development, not {manifest.stage.value}; "
                "promote it afterwards (or restore a registry with `regtui import`)"
            )


def _parents_first(versions: list[VersionManifest]) -> list[VersionManifest]:
    """Versions ordered by model then semver, so every parent is registered before its children."""
    seen: dict[str, VersionManifest] = {}
    for manifest in versions:
        ref = manifest.entry.ref
        if ref in seen and seen[ref].entry.content_hash() != manifest.entry.content_hash():
            raise InputError(f"{ref} appears twice in the input with different content")
        seen[ref] = manifest
    return sorted(seen.values(), key=lambda m: (m.entry.model, precedence_key(m.entry.version)))


def _upsert_user(session: Session, spec: UserSpec, seq: int) -> bool:
    """Create or update a user; returns whether anything changed."""
    roles, teams = sorted(r.value for r in spec.roles), sorted(spec.teams)
    row = session.get(UserRow, spec.identity)
    if row is None:
        session.add(UserRow(identity=spec.identity, name=spec.name, roles=roles, teams=teams, change_seq=seq))
        return True
    if (row.name, sorted(row.roles), sorted(row.teams)) == (spec.name, roles, teams):
        return False
    row.name, row.roles, row.teams, row.change_seq = spec.name, roles, teams, seq
    return True


def _upsert_model(session: Session, spec: ModelSpec, seq: int) -> bool:
    """Create or update a model's owner and description; returns whether anything changed."""
    row = session.get(ModelRow, spec.name)
    if row is None:
        session.add(ModelRow(name=spec.name, owner=spec.owner, description=spec.description, change_seq=seq))
        session.flush()
        return True
    if (row.owner, row.description) == (spec.owner, spec.description):
        return False
    row.owner, row.description, row.change_seq = spec.owner, spec.description, seq
    return True


def _last_policy_change(logs: list[LogManifest], default: tuple[str, datetime]) -> tuple[str, datetime]:
    """Who set the policy last and when, according to a restored log (so the policy row round-trips)."""
    changes = [entry for log in logs for entry, _digest in log.entries if entry.kind == "policy"]
    return (changes[-1].actor, changes[-1].at) if changes else default


def _restore_log(session: Session, log: LogManifest, seq: int) -> int:
    """Restore an exported log into an empty one after proving its chain; returns the entry count."""
    if session.execute(select(EventRow.id).limit(1)).first() is not None:
        raise RuleError("this registry already has a promotion log; a log can only be restored into an empty registry")
    broken = verify_chain(log.entries)
    if broken is not None:
        raise InputError(f"the promotion log to import is broken at entry {broken.position}: {broken.reason}")
    for entry, digest in log.entries:
        restore_event(session, seq=seq, entry=entry, stored_hash=digest)
    session.flush()
    return len(log.entries)


def register_version(session: Session, manifest: VersionManifest, *, seq: int, actor: str, now: datetime) -> bool:
    """Insert one version as registration does, without its `register` log entry (the caller logs it in its own
    words); False when the identical version is already registered."""
    return _register_one(session, manifest, seq=seq, actor=actor, now=now, log=False)


def _register_one(
    session: Session, manifest: VersionManifest, *, seq: int, actor: str, now: datetime, log: bool
) -> bool:
    """Insert one version unless the identical one exists; refuse the same version with other content."""
    entry = manifest.entry
    existing = find_version(session, entry.model, entry.version)
    if existing is not None:
        _refuse_different(session, existing, manifest)
        return False
    check_version(entry.version, entry.parent, entry.change_kind)
    if entry.parent is not None and find_version(session, entry.model, entry.parent) is None:
        raise RuleError(f"{entry.ref}: parent version {entry.parent} is not registered")
    if session.get(ModelRow, entry.model) is None:
        session.add(ModelRow(name=entry.model, owner=entry.owner, description="", change_seq=seq))
        session.flush()
    if manifest.stage is Stage.PRODUCTION:
        _refuse_second_production(session, entry.model, entry.ref)
    row = entry_to_row(manifest, seq=seq, actor=actor, now=now)
    session.add(row)
    session.flush()
    session.add_all(artifact_rows(entry, row.id, seq))
    if log:
        append_event(
            session,
            seq=seq,
            kind="register",
            actor=actor,
            at=now,
            model=entry.model,
            version=entry.version,
            to_stage=manifest.stage.value,
            details={"content_hash": row.content_hash, "artifacts": {a.name: a.sha256 for a in entry.artifacts}},
        )
    return True


def _refuse_different(session: Session, existing: VersionRow, manifest: VersionManifest) -> None:
    """Same name and version with any different content is refused, naming the differing fields."""
    if existing.content_hash == manifest.entry.content_hash():
        return
    stored = row_to_entry(existing, artifacts_of(session, existing.id))
    fields = ", ".join(stored.differing_fields(manifest.entry)) or "content"
    raise RuleError(
        f"{manifest.entry.ref} is already registered with different {fields}; "
        "registered versions are immutable: register a correction as a new version"
    )


def _refuse_second_production(session: Session, model: str, ref: str) -> None:
    """At most one Production version per model (the database's partial index enforces it too)."""
    current = session.execute(
        select(VersionRow.version).where(VersionRow.model == model, VersionRow.stage == Stage.PRODUCTION.value)
    ).scalar_one_or_none()
    if current is not None:
        raise RuleError(f"{ref}: {model}@{current} is already in Production (at most one Production version per model)")


def _restore_request(session: Session, record: RequestRecord, seq: int) -> int:
    """Write an exported request and its decisions back with its id; an identical one is skipped."""
    existing = session.get(RequestRow, record.id)
    if existing is not None:
        if (existing.model, existing.version, existing.to_stage, existing.status) == (
            record.model,
            record.version,
            record.to_stage.value,
            record.status,
        ):
            return 0
        raise RuleError(f"request #{record.id} already exists with other content; requests cannot be rewritten")
    if find_version(session, record.model, record.version) is None:
        raise RuleError(f"request #{record.id}: {record.model}@{record.version} is not registered")
    session.add(
        RequestRow(
            id=record.id,
            model=record.model,
            version=record.version,
            from_stage=record.from_stage.value,
            to_stage=record.to_stage.value,
            status=record.status,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
            reason=record.reason,
            canary_share=record.canary_share,
            evidence=dict(record.evidence),
            closed_by=record.closed_by,
            closed_at=record.closed_at,
            change_seq=seq,
        )
    )
    session.flush()
    session.add_all(
        ApprovalRow(
            request_id=record.id,
            identity=a.identity,
            decision=a.decision,
            capacity=a.capacity,
            comment=a.comment,
            at=a.at,
            artifact_digest=a.artifact_digest,
            evidence_digest=a.evidence_digest,
            change_seq=seq,
        )
        for a in record.approvals
    )
    return 1


def is_sqlite_session(session: Session) -> bool:
    """Whether the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def find_version(session: Session, model: str, version: str) -> VersionRow | None:
    """The row of MODEL@VERSION, or None."""
    return session.execute(
        select(VersionRow).where(VersionRow.model == model, VersionRow.version == version)
    ).scalar_one_or_none()


def artifacts_of(session: Session, version_id: int) -> list[ArtifactRow]:
    """A version's artifact rows in manifest order."""
    return list(
        session.execute(
            select(ArtifactRow).where(ArtifactRow.version_id == version_id).order_by(ArtifactRow.position)
        ).scalars()
    )
