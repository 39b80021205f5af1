"""The served wheel is built again when anything it holds changes: the agent's and the probe's source."""

from stats import agent_wheel


def test_the_wheel_digest_follows_the_agent_and_the_probe_and_nothing_else(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    files = {
        "pyproject.toml": "[project]\n",
        "netmon_agent/runtime.py": "AGENT = 1\n",
        "netmon_probe/checks/tcp.py": "PROBE = 1\n",
        "stats/relay.py": "SERVER = 1\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    digests = [agent_wheel.source_digest()]
    for name in files:
        (tmp_path / name).write_text(files[name] + "CHANGED = True\n")
        digests.append(agent_wheel.source_digest())
    # pyproject.toml, the agent and the probe each change it; the server's code does not.
    assert len(set(digests[:4])) == 4
    assert digests[4] == digests[3]
