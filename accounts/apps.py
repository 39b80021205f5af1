from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from accounts import access, languages

        access.connect()
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
        user_logged_in.connect(languages.adopt_page_language, dispatch_uid="accounts.adopt_page_language")


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from django.apps import apps as installed
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import sync_roles

    # post_migrate is sent once per app with models, each making its permissions:
    # the roles are brought in line after the last one's.
    if sender is [config for config in installed.get_app_configs() if config.models_module][-1]:
        sync_roles(Group, Permission)
