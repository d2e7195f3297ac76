"""Authorization from the one rights table: who may do what, and the refusal's words."""

from __future__ import annotations

import pytest

from regtui.domain.approvals import Approver
from regtui.domain.manifest import ManifestSet, RegistryManifest
from regtui.domain.roles import Right, Role, refusal
from regtui.errors import NotAllowedError
from regtui.services.access import holds, require


def test_a_role_that_grants_the_right_is_not_refused() -> None:
    """A releaser may release; an admin may do anything."""
    assert refusal("rita", frozenset({Role.RELEASER}), Right.RELEASE, "roll back churn") is None
    assert all(refusal("ada", frozenset({Role.ADMIN}), right, "act") is None for right in Right)


def test_a_refusal_names_the_roles_that_would_do() -> None:
    """A reviewer may not release: the refusal says who may."""
    reason = refusal("rex", frozenset({Role.REVIEWER}), Right.RELEASE, "roll back churn")
    assert reason == "rex may not roll back churn: needs the releaser or admin role"


def test_require_raises_the_typed_refusal() -> None:
    """services.access.require raises NotAllowedError (a RuleError), and holds answers without raising."""
    viewer = Approver("vic", frozenset({Role.VIEWER}))
    with pytest.raises(NotAllowedError, match="vic may not register versions: needs the contributor or admin role"):
        require(viewer, Right.REGISTER, "register versions")
    require(Approver("cleo", frozenset({Role.CONTRIBUTOR})), Right.REGISTER, "register versions")
    assert holds(viewer, Right.READ) and not holds(viewer, Right.REGISTER)


@pytest.mark.parametrize(
    ("manifests", "right"),
    [
        (ManifestSet(), Right.REGISTER),
        (ManifestSet(registries=[RegistryManifest(users=(), models=())]), Right.ADMINISTER),
    ],
)
def test_an_import_needs_register_or_administer(manifests: ManifestSet, right: Right) -> None:
    """Versions alone need register; users, models, policy, logs, requests or providers need administer."""
    assert manifests.required_right()[0] is right
