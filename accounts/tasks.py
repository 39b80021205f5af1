from celery import shared_task

from accounts import directory_check


@shared_task(name="accounts.recheck_directory_sessions", ignore_result=True, time_limit=300)
def recheck_directory_sessions() -> int:
    """Every open directory session asked about again (accounts.directory_check)."""
    return directory_check.recheck_open_sessions()
