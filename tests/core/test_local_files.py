"""What `make run` keeps in .run/ (the database with sessions and notification URLs, keys,
the local agent's credentials) is readable by the user who runs it alone."""

import shutil
import stat
import subprocess
import sys

from django.conf import settings


def test_the_run_directory_and_a_database_made_in_it_are_the_users_alone(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(settings.BASE_DIR / "scripts" / "env.sh", tmp_path / "scripts" / "env.sh")
    # As a shell with the common umask 022 starts `make run`: env.sh, then SQLite makes the database.
    make_database = (
        f"{sys.executable} -c \"import sqlite3; sqlite3.connect('.run/db.sqlite3').execute('create table t (x)')\""
    )
    script = f"umask 022 && source scripts/env.sh && {make_database}"
    subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, check=True, timeout=60, env={"SECRET_KEY": "x", "PATH": "/usr/bin:/bin"}
    )
    assert stat.S_IMODE((tmp_path / ".run").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / ".run" / "db.sqlite3").stat().st_mode) == 0o600
