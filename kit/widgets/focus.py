"""Bring a participant's editor into view when the browser first shows it.

*Run → Run All Cells* leaves JupyterLab scrolled to the notebook's last cell (the Sources), so a
participant who ran everything would have to hunt for the editor. ipywidgets counts the views of
a widget when its ``_view_count`` trait is a number; the first time the browser shows the
editor's first field, the kernel asks that field to take the keyboard focus, and the browser
scrolls it into view (only if it is out of view: running the editor's own cell does not jump).
A reopened notebook without a kernel does nothing.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

__all__ = ["FOCUSABLE", "first_focusable", "focus_when_shown"]

FOCUSABLE = (
    widgets.Text,
    widgets.Textarea,
    widgets.Dropdown,
    widgets.Select,
    widgets.Button,
    widgets.FileUpload,
)
"""Widgets whose browser view takes the focus when asked (``DOMWidget.focus``)."""


def first_focusable(widget: widgets.Widget) -> widgets.DOMWidget | None:
    """The first enabled, shown field or button under ``widget``, in reading order.

    Parameters
    ----------
    widget : ipywidgets.Widget
        A widget, usually a box of boxes.

    Returns
    -------
    ipywidgets.DOMWidget or None
        ``None`` when nothing under ``widget`` can take the focus.

    Examples
    --------
    >>> hidden = widgets.Text(layout=widgets.Layout(display="none"))
    >>> off = widgets.Button(description="Undo", disabled=True)
    >>> name = widgets.Text(placeholder="your name")
    >>> box = widgets.VBox([widgets.HTML("<b>Step 1</b>"), widgets.HBox([hidden, off, name])])
    >>> first_focusable(box) is name
    True
    >>> first_focusable(widgets.HTML("no fields")) is None
    True
    """
    stack = [widget]
    while stack:
        current = stack.pop(0)
        layout = getattr(current, "layout", None)  # a plotly FigureWidget's is a plotly one
        if isinstance(layout, widgets.Layout) and layout.display == "none":
            continue  # hidden, and so is everything inside it
        if isinstance(current, FOCUSABLE) and not getattr(current, "disabled", False):
            return current
        stack[:0] = list(getattr(current, "children", ()))
    return None


def focus_when_shown(widget: widgets.Widget) -> widgets.Widget:
    """Have the browser bring ``widget`` into view the first time it shows it.

    The first field of ``widget`` (see :func:`first_focusable`) takes the focus once, when its
    first view is on the page; later views (the same output shown again) do not move the page.

    Parameters
    ----------
    widget : ipywidgets.Widget
        An editor or a team picker.

    Returns
    -------
    ipywidgets.Widget
        ``widget`` itself, so that ``return focus_when_shown(editor)`` reads well.

    Examples
    --------
    Without a browser nothing happens; when the front end reports a first view, the field is
    asked to take the focus (here: the message it would send is recorded).

    >>> name = widgets.Text()
    >>> box = focus_when_shown(widgets.VBox([widgets.HTML("Step 1"), name]))
    >>> name._view_count
    0
    >>> sent = []
    >>> name.send = sent.append
    >>> name._view_count = 1  # what ipywidgets' front end does when the view is displayed
    >>> name._view_count = 2  # a second view: no second jump
    >>> sent
    [{'do': 'focus'}]
    """
    target = first_focusable(widget)
    if target is None:
        return widget

    def shown(change: dict[str, Any]) -> None:
        if change["new"]:
            target.unobserve(shown, "_view_count")
            target.focus()

    target._view_count = 0
    target.observe(shown, "_view_count")
    return widget
