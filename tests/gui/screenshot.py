"""Screenshots of the main screens in English and Simplified Chinese (a script, not a test).

    .venv/bin/desk-app --db sqlite:///var/shots.db demo --if-empty   # (done for you if missing)
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/gui/screenshot.py

PNGs go to ./screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "var" / "shots.db"
OUT = ROOT / "screenshots"
PASSWORD = "demo1234"


def ensure_demo_database() -> str:
    url = f"sqlite:///{DB}"
    if not DB.exists():
        DB.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "desk_app", "--db", url, "demo", "--if-empty"],
                       check=True, cwd=ROOT)
    return url


def main() -> int:
    url = ensure_demo_database()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desk_app.desk import Desk
    from desk_app.ui.app import install_cjk_font, make_application
    from desk_app.ui.language import apply_language
    from desk_app.ui.login import LoginDialog
    from desk_app.ui.main_window import MainWindow

    app = make_application()
    app.setOrganizationName("desk_app_screenshots")  # keep the real window geometry untouched
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(ROOT / "var"))
    install_cjk_font()
    OUT.mkdir(exist_ok=True)
    desk = Desk.open(url)

    def settle() -> None:
        for _round in range(3):
            QApplication.processEvents()

    def wait_for_today(today) -> None:
        """Today reads its figures in a worker thread after its first frame: wait for them."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        today.loaded.connect(loop.quit)
        QTimer.singleShot(30_000, loop.quit)
        loop.exec()

    def save(widget, name: str) -> None:
        settle()
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    for language in ("en", "zh_CN"):
        apply_language(language)
        login = LoginDialog(desk, name="admin")
        login.show()
        save(login, f"{language}-1-login")
        login.password_edit.setText(PASSWORD)
        login.sign_in()
        window = MainWindow(desk, login.actor, idle_ms=3_600_000)
        window.resize(1100, 720)
        window.show()
        wait_for_today(window.page("today"))
        save(window, f"{language}-2-today")
        window.show_area("admin")
        save(window, f"{language}-3-admin-users")
        admin = window.page("admin")
        admin.tabs.setCurrentWidget(admin.settings)
        save(window, f"{language}-4-admin-settings")
        admin.activated()
        admin.tabs.setCurrentWidget(admin.keys)
        save(window, f"{language}-4b-admin-keys")
        admin.tabs.setCurrentWidget(admin.backups)
        save(window, f"{language}-4c-admin-backups")
        window.show_area("audit")
        save(window, f"{language}-5-audit")
        window.lock()
        save(window.lock_dialog, f"{language}-6-locked")
        window.request_switch_user()
        window.deleteLater()
        login.deleteLater()
        settle()
        clerk = desk.auth.login("wangfang", PASSWORD)
        window = MainWindow(desk, clerk, idle_ms=3_600_000)
        window.resize(1100, 720)
        window.show()
        window.show_area("archive")
        save(window, f"{language}-7-clerk-archive")
        window.request_switch_user()
        window.deleteLater()
        settle()
        officer = desk.auth.login("liuyang", PASSWORD)
        window = MainWindow(desk, officer, idle_ms=3_600_000)
        window.resize(1100, 720)
        window.show()
        window.show_area("archive")
        save(window, f"{language}-8-officer-archive")
        window.request_switch_user()
        window.deleteLater()
    desk.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
