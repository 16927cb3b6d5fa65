"""Enums whose members carry their label: ``PUBLIC = "public", N_("Public")``.

The label is marked with ``N_`` for extraction and translated when asked for
(``Level.PUBLIC.label``), so it stays next to its member instead of in a parallel table."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any, Self

from desk_app.i18n import _


class _Labelled:
    msgid: str
    """The label, untranslated."""

    @classmethod
    def _new_member(cls, value: object, msgid: str | None) -> Any:
        if not msgid:
            raise TypeError("every member of a labelled enum needs its label: VALUE, N_(LABEL)")
        member = cls._member_type_.__new__(cls, value)  # type: ignore[attr-defined]
        member._value_ = value
        member.msgid = msgid
        return member

    @property
    def label(self) -> str:
        """The label in the current language."""
        return _(self.msgid)


class LabelledStrEnum(_Labelled, StrEnum):
    _value_: str

    # (msgid is optional to type checkers only: ``Level("public")`` looks a member up, and
    # _new_member refuses a member defined without its label.)
    def __new__(cls, value: str, msgid: str | None = None) -> Self:
        return cls._new_member(value, msgid)


class LabelledIntEnum(_Labelled, IntEnum):
    _value_: int

    def __new__(cls, value: int, msgid: str | None = None) -> Self:
        return cls._new_member(value, msgid)
