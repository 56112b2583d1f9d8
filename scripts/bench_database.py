"""Create the PostgreSQL database of `make bench` if it does not exist (a bench database only:
the suite seeds it and writes to it)."""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as server:
        if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Base de mesure {name} créée.")


if __name__ == "__main__":
    main(sys.argv[1])
