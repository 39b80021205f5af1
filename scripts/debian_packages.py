"""Installing a missing Debian package for the local services `make run` and `make test` start."""

import os
import shutil
import subprocess
import sys


def install(package: str, why: str) -> None:
    """apt-get install `package` (updating the index once if needed); exits with `why` when not root."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(why)
    print(f"installing {package} from the Debian packages")
    command = ["apt-get", "install", "-y", "-qq", package]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(command, env=env, check=True)


if __name__ == "__main__":  # debian_packages.py <package> <why it is needed>
    install(sys.argv[1], sys.argv[2])
