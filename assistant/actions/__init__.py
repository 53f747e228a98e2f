"""Custom actions of the triage assistant (run by `rasa run actions --actions assistant.actions`)."""

from assistant.actions.appointment import (  # noqa: F401
    ActionAskAppointmentSlot,
    ActionAskPersonName,
    ActionAskPhone,
    ActionBookAppointment,
    ActionCancelForm,
    ActionRequestCallback,
    ValidateAppointmentForm,
    ValidateCallbackForm,
)
from assistant.actions.checkin import (  # noqa: F401
    ActionAskAppointmentCode,
    ActionCheckIn,
    ValidateCheckinForm,
)
from assistant.actions.triage import (  # noqa: F401
    ActionCallGuide,
    ActionClarify,
    ActionIssueTicket,
    ActionRejectTriage,
    ActionRoute,
    ActionSetLanguage,
    ActionTriage,
)
