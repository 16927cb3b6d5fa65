"""Reception (R13, R14), split by concern: the script library (:mod:`.scripts`), the visitor
and call log with its response timers (:mod:`.visits`), call-backs (:mod:`.callbacks`),
complaints and their monthly statistics (:mod:`.complaints`), and their registers for pages
and exports (:mod:`.registers`). The views and filters they share are in :mod:`.views`, the
check for phrases not to use in :mod:`.phrases`; the names callers use most are re-exported here.
"""

from desk_app.services.reception.phrases import ForbiddenPhraseFound, check_text
from desk_app.services.reception.views import (
    CallBackFilter,
    CallBackView,
    ComplaintFilter,
    ComplaintStats,
    ComplaintView,
    ScriptView,
    VisitFilter,
    VisitView,
)

__all__ = ["CallBackFilter", "CallBackView", "ComplaintFilter", "ComplaintStats",
           "ComplaintView", "ForbiddenPhraseFound", "ScriptView", "VisitFilter", "VisitView",
           "check_text"]
