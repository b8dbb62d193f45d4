"""``manage.py lti_roster_sync``: a thin wrapper over ``lti.roster``."""
from django.core.management.base import BaseCommand, CommandError

from lti.models import Context
from lti.roster import RosterError, roster_sync, rosters_sync


class Command(BaseCommand):
    help = ("Sync LMS rosters (Names and Role Provisioning Services): enrol the members each platform lists, by "
            "their platform user id, and remove the enrolments of those it no longer lists.")

    def add_arguments(self, parser):
        parser.add_argument("--context", type=int, help="the id of one LTI context (admin: LTI contexts); "
                                                        "default: every context with a course and a roster")

    def handle(self, *args, **opts):
        if opts["context"] is None:
            outcomes = rosters_sync()
            self.stdout.write(f"{outcomes['synced']} context(s) synced, {outcomes['failed']} failed")
            if outcomes["failed"]:
                raise CommandError(f"{outcomes['failed']} roster(s) could not be synced; see the log")
            return
        context = Context.objects.select_related("platform", "course").filter(pk=opts["context"]).first()
        if context is None:
            raise CommandError(f"no LTI context with id {opts['context']}")
        try:
            synced = roster_sync(context=context)
        except RosterError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{context}: {synced.listed} member(s) enrolled, {synced.skipped} skipped, "
                          f"{synced.removed} enrolment(s) removed")
