"""The product's name as users read it: window titles, the About box, the sign-in window.

``desk_app`` is the package's name, not something a clerk should read; the product name is
translated, and the company name from the settings follows it where it is known.
"""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication

from desk_app import __version__
from desk_app.i18n import _


def product_name() -> str:
    return _("Front Desk & Archive")


def window_title(company: str = "") -> str:
    """``示例物业服务有限公司 — Front Desk & Archive`` (the product name alone without one).

    The product name comes last: it is also the application's display name, which Qt
    appends to every window title that does not already end with it."""
    company = (company or "").strip()
    if not company:
        return product_name()
    return _("{company} — {product}").format(product=product_name(), company=company)


def apply_display_name() -> None:
    """The display name in the user's language (Qt adds it to dialog titles, the task bar
    and the window switcher); called again when the language changes."""
    QGuiApplication.setApplicationDisplayName(product_name())


def about_text(company: str = "") -> str:
    """The About box: name, version, the versions it runs on and the licence line."""
    import html  # only for the About box: not imported before the sign-in window

    lines = [
        f"<h3>{html.escape(product_name())}</h3>",
        _("Version {version}").format(version=__version__),
        _("Front desk, reception and archive room register: loans, visitors and calls, keys "
          "and shift handovers, with a signed audit trail."),
    ]
    if company:
        lines.append(_("Licensed to {company}").format(company=html.escape(company)))
    lines.append(_("Qt {qt} · PySide6 {pyside} · Python {python}").format(
        qt=qVersion(), pyside=pyside_version, python=_python_version()))
    lines.append(_("Proprietary software; all rights reserved. The CJK font is WenQuanYi Micro "
                   "Hei (GPL with font exception)."))
    return lines[0] + "<br>".join(lines[1:])


def _python_version() -> str:
    import platform  # only for the About box: not imported before the sign-in window

    return platform.python_version()
