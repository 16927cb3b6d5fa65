from pathlib import Path

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.store.db import parse_url


def test_sqlite_urls():
    assert parse_url("sqlite:////var/x/desk.db").path == Path("/var/x/desk.db")
    assert parse_url("sqlite:///rel/desk.db").path == Path("rel/desk.db")
    assert parse_url("/plain/path.db").path == Path("/plain/path.db")


def test_postgresql_url_and_display_hides_the_password():
    url = parse_url("postgresql://desk:s3cret@db.local:5433/office")
    assert (url.backend, url.user, url.password, url.host, url.port, url.dbname) == (
        "postgresql", "desk", "s3cret", "db.local", 5433, "office")
    assert "s3cret" not in url.display()


@pytest.mark.parametrize("bad", ["", "mysql://x/y", "postgresql://host", "postgresql://h:99999/db",
                                 "sqlite://", "sqlite:///"])
def test_malformed_urls(bad):
    with pytest.raises(ValidationError) as error:
        parse_url(bad)
    assert "sqlite:///" in str(error.value)
