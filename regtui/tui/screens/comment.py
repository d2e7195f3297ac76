"""A small modal for the comment of an approval or rejection: type, Enter submits, escape cancels."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from regtui.tui.widgets.key_bar import KeyBar


class CommentScreen(ModalScreen[str | None]):
    """Asks for one line of comment; returns it (stripped), or None when cancelled."""

    TITLE = "Comment"
    AUTO_FOCUS = "#comment"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_comment", "Cancel", id="cancel_comment"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Submit the comment. |
    | escape | Cancel: nothing is recorded. |
    """

    def __init__(self, title: str, hint: str, *, required: bool) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.required = required

    def compose(self) -> ComposeResult:
        """What is being decided, what the comment should say, the input, any complaint; the dialog's keys."""
        with Vertical(id="comment-dialog"):
            yield Static(Content(self.title_text), id="comment-title")
            yield Static(Content(self.hint), id="comment-hint")
            yield Input(placeholder="comment (required)" if self.required else "comment (optional)", id="comment")
            yield Static(Content("enter submit · escape cancel"), id="comment-error")
        yield KeyBar()

    @on(Input.Submitted, "#comment")
    def comment_submitted(self, event: Input.Submitted) -> None:
        """Submit, unless a required comment is empty."""
        comment = event.value.strip()
        if self.required and not comment:
            error = self.query_one("#comment-error", Static)
            error.update(Content("a comment is required: say why (it is logged with your decision)"))
            error.add_class("-error")
            return
        self.dismiss(comment)

    def action_cancel_comment(self) -> None:
        """Close without deciding."""
        self.dismiss(None)
