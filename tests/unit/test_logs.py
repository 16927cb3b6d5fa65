"""The log file: what is logged before it opens (the GUI opens it once its window shows)."""

from __future__ import annotations

import os
import subprocess
import sys

HELD_THEN_OPENED = """
import logging
from desk_app.logs import hold_records, setup_logging
hold_records()
logging.getLogger("early").info("before the file was opened")
logging.getLogger("early").debug("below the level")
setup_logging()
logging.getLogger("late").warning("after")
"""


def test_records_held_until_the_log_file_opens_go_to_it_first(tmp_path):
    # (in a process of its own: the test run's root logger is not ours to reconfigure)
    subprocess.run([sys.executable, "-c", HELD_THEN_OPENED], check=True, timeout=60,
                   env={**os.environ, "DESK_LOG_DIR": str(tmp_path)})
    lines = (tmp_path / "desk_app.log").read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 3)[3] for line in lines] == [
        "INFO early: before the file was opened", "WARNING late: after"]
