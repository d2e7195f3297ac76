"""The typed confirmation of a rollback: the operator types the model name and an incident reference;
focus starts on Cancel, so a stray Enter cancels."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from regtui.tui.widgets.key_bar import KeyBar


class ConfirmRollbackScreen(ModalScreen[str | None]):
    """Returns the reason once the typed name matches and a reason is given; None when cancelled."""

    TITLE = "Confirm rollback"
    AUTO_FOCUS = "#cancel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_rollback", "Cancel", id="cancel_rollback"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab | Next field: model name, reason, Cancel, Roll back. |
    | enter | On Cancel: cancel. In a field, or on Roll back: roll back (once name and reason are right). |
    | escape | Cancel: nothing is changed. |
    """

    def __init__(self, model: str, summary: str, *, dry_run: bool) -> None:
        super().__init__()
        self.model = model
        self.summary = summary
        self.dry_run = dry_run

    def compose(self) -> ComposeResult:
        """What will happen, the two fields, Cancel (focused) and the disabled Roll back button; the dialog's keys."""
        title = f"Roll back {self.model}" + (" — DRY RUN, nothing is changed" if self.dry_run else "")
        with Vertical(id="confirm-dialog"):
            yield Static(Content(title), id="confirm-title")
            yield Static(Content(self.summary), id="confirm-summary")
            yield Static(Content("Type the model name to confirm:"), classes="label")
            yield Input(placeholder=f"type {self.model}", id="confirm-name", compact=True)
            yield Static(Content("Reason (incident reference, required):"), classes="label")
            yield Input(placeholder="e.g. INC-2041 error rate spike", id="confirm-reason", compact=True)
            yield Static(Content(self.hint("cancel")), id="confirm-hint")
            with Horizontal(id="confirm-buttons"):
                yield Button(Content("Cancel"), id="cancel", compact=True)
                yield Button(
                    Content("Dry run" if self.dry_run else "Roll back"),
                    id="confirm",
                    variant="error",
                    compact=True,
                    disabled=True,
                )
        yield KeyBar()

    def hint(self, focused: str | None) -> str:
        """What the keys do where the focus is (a widget id), so the line under the fields follows the focus."""
        action = "dry run" if self.dry_run else "roll back"
        if focused == "confirm-name":
            return "the model name · tab: next field · escape cancels"
        if focused == "confirm-reason":
            return f"the reason · enter: {action} once both are right · escape cancels"
        if focused == "confirm":
            return f"focus is on {'Dry run' if self.dry_run else 'Roll back'} · enter: {action} · escape cancels"
        return "focus is on Cancel · enter cancels · tab to type · escape cancels"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Say what the keys do on the newly focused field or button."""
        self.query_one("#confirm-hint", Static).update(Content(self.hint(event.widget.id)))

    @property
    def reason(self) -> str:
        """The typed reason."""
        return self.query_one("#confirm-reason", Input).value.strip()

    @property
    def ready(self) -> bool:
        """Whether the typed name is exactly the model's and a reason is given."""
        return self.query_one("#confirm-name", Input).value == self.model and bool(self.reason)

    @on(Input.Changed)
    def typed(self) -> None:
        """Enable Roll back only when the name matches and there is a reason."""
        self.query_one("#confirm", Button).disabled = not self.ready

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        """Roll back when everything is typed right; otherwise go on to the next field."""
        if self.ready:
            self.dismiss(self.reason)
        else:
            self.focus_next()

    @on(Button.Pressed, "#cancel")
    def action_cancel_rollback(self) -> None:
        """Close without rolling back."""
        self.dismiss(None)
