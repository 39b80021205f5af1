"""`manage.py agents add|list|revoke NAME`: the credentials of the agents."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from netmon_agent import envfile
from stats import credentials
from stats.models import Agent

ENV_FILE = "/etc/netmon-agent.env"
UNIT = "deploy/systemd/netmon-agent.service"


class Command(BaseCommand):
    help = "Add an agent (prints its environment file, once), list agents, or revoke an agent's credentials."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="create the agent's Redis user and print the environment file it needs")
        add.add_argument("name")
        add.add_argument("--replace", action="store_true", help="new credentials for an existing agent")
        add.add_argument("--url-only", action="store_true", help="print the Redis URL alone (for scripts)")
        add.add_argument(
            "--env-file", metavar="PATH", help="write the environment file there (mode 0600) instead of printing it"
        )
        actions.add_parser("list", help="every registered agent, with its last report")
        revoke = actions.add_parser("revoke", help="delete the agent's Redis user: it is refused at once")
        revoke.add_argument("name")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"handle_{action}")(**options)
        except (ValueError, credentials.AgentExists, credentials.UnknownAgent) as error:
            raise CommandError(str(error)) from error

    def handle_add(self, name: str, replace: bool, url_only: bool, env_file: str | None, **options) -> None:
        made = credentials.add(name, replace=replace)
        if url_only:
            self.stdout.write(made.redis_url)
            return
        if env_file:
            envfile.write(env_file, made.environment())
            self.stdout.write(f"Agent {name!r}: its environment file is {env_file}")
            return
        self.stdout.write(f"Agent {name!r} added. Its Redis URL is shown this once; keep it secret.\n")
        self.stdout.write(f"On the agent's host, make {ENV_FILE} readable by root alone:\n")
        self.stdout.write(f"  install -m 600 /dev/null {ENV_FILE}\n")
        self.stdout.write("and write these lines into it:\n\n")
        self.stdout.write(made.environment_file())
        if settings.REDIS_SENTINELS and "password" in settings.REDIS_SENTINEL_OPTIONS:
            self.stdout.write("REDIS_SENTINEL_PASSWORD=<the sentinel user's password>\n")
        self.stdout.write(f"\nThen run the agent as a systemd service that reads it ({UNIT}):\n\n")
        self.stdout.write((settings.BASE_DIR / UNIT).read_text())

    def handle_list(self, **options) -> None:
        seen = dict(Agent.objects.values_list("name", "last_seen"))
        with_digest = Agent.objects.exclude(password_digest="").values_list("name", flat=True)
        names = sorted(set(credentials.registered()) | set(with_digest))
        if not names:
            self.stdout.write("no agents; add one with: manage.py agents add NAME")
        for name in names:
            last = seen.get(name)
            user = "credentials ok" if credentials.has_user(name) else "NO REDIS USER (run agents add --replace)"
            self.stdout.write(f"{name}\t{user}\tlast report: {last.isoformat() if last else 'never'}")

    def handle_revoke(self, name: str, **options) -> None:
        credentials.revoke(name)
        self.stdout.write(f"Agent {name!r} revoked: its credentials are refused from now on.")
