"""Background tasks for places' data: importing a police-violence export in a worker."""

from django_tasks import task

from cities import police_violence


@task()
def import_police_violence(path, dry_run=False):
    """Import an export as `police_violence.import_police_violence` does; the task's result
    keeps the counts and the rows skipped, for whoever started it to read."""
    summary = police_violence.import_police_violence(path, dry_run=dry_run)
    return {
        "read": summary.read,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "unmatched": summary.unmatched,
        "skipped": summary.skipped,
        "problems": summary.problems,
    }
