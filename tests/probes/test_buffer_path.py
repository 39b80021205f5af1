"""Where a probe keeps the results that wait for the centre, when PROBE_BUFFER does not say."""

from netmon_probe.cli import buffer_path


def test_it_keeps_them_in_the_folder_systemd_made_for_it(tmp_path):
    env = {"STATE_DIRECTORY": f"{tmp_path}/state:{tmp_path}/other", "HOME": str(tmp_path)}
    assert buffer_path(env, "branch-1") == tmp_path / "state" / "branch-1.sqlite"


def test_it_keeps_them_under_its_home_readable_by_its_user_alone(tmp_path):
    (tmp_path / ".local" / "state" / "netmon-probe").mkdir(parents=True, mode=0o755)
    path = buffer_path({"HOME": str(tmp_path)}, "branch-1")
    assert path == tmp_path / ".local" / "state" / "netmon-probe" / "branch-1.sqlite"
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_probe_buffer_wins(tmp_path):
    env = {"PROBE_BUFFER": str(tmp_path / "b.sqlite"), "STATE_DIRECTORY": str(tmp_path / "s")}
    assert buffer_path(env, "branch-1") == tmp_path / "b.sqlite"
