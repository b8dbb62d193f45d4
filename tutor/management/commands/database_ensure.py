"""Create the configured PostgreSQL database when it does not exist yet (for `make run-services`)."""
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = "Create DATABASE_URL's PostgreSQL database if it is missing (the server and the role must exist)."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("database_ensure is for PostgreSQL; SQLite creates its file by itself.")
        params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"] or None}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as server:
            exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
            if not exists:
                server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        self.stdout.write(f"Database {db['NAME']} {'exists' if exists else 'created'}.")
