"""desk_app: front desk and archive room register."""

__version__ = "0.1.0"
APP_NAME = "desk_app"
