"""Load the demo course and, in embedded mode only, create the demo accounts, an administrator among them (so
that someone trying the demo can start a retraining run and promote or roll back a version). Safe to run
again."""
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from learning.services import course_content_import, course_upsert, enrollment_ensure
from tutor.demo import DEMO_CONTENT, DEMO_FIXTURE, load_demo

DEMO_PASSWORD = "tutor-demo"


class Command(BaseCommand):
    help = "Load the demo courses from fixtures/ and create the demo accounts (embedded mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--fixture", type=Path, default=DEMO_FIXTURE)

    def handle(self, *args, fixture: Path, **options):
        if not settings.TUTOR_EMBEDDED:
            raise CommandError("Demo accounts have a public password; they are created in embedded mode only.")
        demo = load_demo(fixture)
        with transaction.atomic():
            courses = {c["slug"]: course_upsert(**c) for c in demo["courses"]}
            self._enroll(courses, demo["enrollments"])
            administrators = [self._account(username, superuser=True) for username in demo.get("administrators", [])]
            imported = [self._import_content(course) for course in courses.values()]
        self.stdout.write(f"Content: {'; '.join(filter(None, imported))}.")
        admins = "".join(f"; administrator: {user.username}" for user in administrators)
        self.stdout.write(f"Demo ready: {len(courses)} courses; log in as student1 / {DEMO_PASSWORD}{admins}.")

    def _import_content(self, course) -> str:
        """The course's skills, items (<slug>.json) and reference notes (<slug>.md) from fixtures/content/."""
        files = [DEMO_CONTENT / f"{course.slug}{suffix}" for suffix in (".json", ".md")]
        reports = [course_content_import(course=course, filename=f.name, data=f.read_bytes()) for f in files if f.exists()]
        items = sum(r.items_created + r.items_updated + r.items_unchanged for r in reports)
        passages = sum(r.passages_written for r in reports)
        return f"{course.slug}: {items} items, {passages} passages" if reports else ""

    def _enroll(self, courses, enrollments) -> None:
        for slug, roles in enrollments.items():
            for role, usernames in roles.items():
                for username in usernames:
                    enrollment_ensure(user=self._account(username), course=courses[slug], role=role)

    def _account(self, username: str, *, superuser: bool = False):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = superuser or username.startswith(("teacher", "author"))  # they work in Django admin
            user.is_superuser = superuser
            user.save()
        return user
