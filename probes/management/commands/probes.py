"""`manage.py probes add|list|revoke NAME` and `manage.py probes serve`: the probes' credentials and process."""

from django.core.management.base import BaseCommand, CommandError

from netmon_agent import envfile
from probes import credentials, install
from probes.models import Probe


class Command(BaseCommand):
    help = "Add a probe (prints its environment file, once), list probes, revoke one, or serve them all."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="create the probe's Redis user, print its environment file (URL and name)")
        add.add_argument("name")
        add.add_argument("--site", help="the site it runs checks for (made if new; default: its name)")
        add.add_argument("--replace", action="store_true", help="new credentials for an existing probe")
        add.add_argument("--env-file", metavar="PATH", help="write the environment file there (mode 0600)")
        actions.add_parser("list", help="every probe, its site, whether it runs, its clock")
        revoke = actions.add_parser("revoke", help="delete the probe's Redis user and keys: it is refused at once")
        revoke.add_argument("name")
        actions.add_parser("serve", help="publish assignments and write every probe's results (a process)")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"handle_{action}")(**options)
        except (ValueError, credentials.ProbeExists, credentials.UnknownProbe) as error:
            raise CommandError(str(error)) from error

    def handle_add(self, name: str, site: str | None, replace: bool, env_file: str | None, **options) -> None:
        made = credentials.add(name, site or name, replace=replace)
        if env_file:
            envfile.write(env_file, made.environment())
            self.stdout.write(f"Probe {name!r}: its environment file is {env_file}")
            return
        self.stdout.write(install.instructions(made))

    def handle_list(self, **options) -> None:
        probes = Probe.objects.select_related("site")
        if not probes:
            self.stdout.write("no probes; add one with: manage.py probes add NAME --site SITE")
        for probe in probes:
            user = "credentials ok" if credentials.has_user(probe.name) else "NO REDIS USER"
            state = "online" if probe.online else "OFFLINE"
            seen = probe.last_seen.isoformat() if probe.last_seen else "never"
            skew = "clock unknown" if probe.clock_skew_s is None else f"clock {probe.clock_skew_s:+.1f} s"
            self.stdout.write(f"{probe.name}\tsite {probe.site.name}\t{state}\t{user}\tlast result: {seen}\t{skew}")

    def handle_revoke(self, name: str, **options) -> None:
        credentials.revoke(name)
        self.stdout.write(f"Probe {name!r} revoked: its credentials are refused from now on.")

    def handle_serve(self, **options) -> None:
        import celery_app  # noqa: F401  the tasks this process sends (alert notifications) go to this broker
        from probes import service

        self.stdout.write("probes: publishing assignments and writing every probe's results")
        self.stdout.flush()
        service.run()
