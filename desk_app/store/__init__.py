"""The database: connection, models, numbered migrations, audit chain, backups."""
