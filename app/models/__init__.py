"""ORM models. Importing this package registers every table on FAB's ``Model.metadata``."""

from app.models.api_clients import ApiCallLog, ApiClient, ApiClientEvent, ApiToken  # noqa: E402
from app.models.bulletin import Bulletin, BulletinEvent
from app.models.calendar import CalendarDay, CalendarYear, TimeLimitRule
from app.models.case import (
    Attachment,
    Case,
    CaseEvent,
    CaseNumberCounter,
    ExtensionRequest,
    SpotCheck,
    SpotCheckItem,
)
from app.models.catalog import BusinessCategory, CaseKind, Channel, ChannelCategory, ContentClass
from app.models.complaints import (
    ComplaintDetermination,
    ComplaintDeterminationEvent,
    ComplaintEvidence,
    ComplaintObjection,
)
from app.models.contacts import BranchContact, BranchContactChange, ContactRole
from app.models.major_matters import MajorMatter, MajorMatterEntry
from app.models.notification import Notification, NotificationArchive
from app.models.org import Branch, Department, Vendor, VendorType, department_business_category
from app.models.reference import ReferenceVersion
from app.models.roles import ComposedRole, RoleChange
from app.models.staff import PersonalBreach, PersonalBreachEvent
from app.models.user import SuqiuUser
from app.models.violations import ViolationEntry, ViolationEntryEvent

__all__ = [
    "SpotCheck",
    "SpotCheckItem",
    "Attachment",
    "Bulletin",
    "BulletinEvent",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "ExtensionRequest",
    "TimeLimitRule",
    "Branch",
    "BranchContact",
    "BranchContactChange",
    "BusinessCategory",
    "CaseKind",
    "Channel",
    "ChannelCategory",
    "ComplaintDetermination",
    "ComplaintDeterminationEvent",
    "ComplaintEvidence",
    "ComplaintObjection",
    "ComposedRole",
    "ContactRole",
    "ContentClass",
    "Department",
    "MajorMatter",
    "MajorMatterEntry",
    "Notification",
    "NotificationArchive",
    "PersonalBreach",
    "PersonalBreachEvent",
    "ReferenceVersion",
    "RoleChange",
    "SuqiuUser",
    "Vendor",
    "VendorType",
    "ViolationEntry",
    "ViolationEntryEvent",
    "department_business_category",
    "ApiCallLog",
    "ApiClient",
    "ApiClientEvent",
    "ApiToken",
]

# Quarterly reports and service meetings (Art.39/40).
from app.models.quarterly_reports import (  # noqa: E402
    MeetingMeasure,
    QuarterlyReport,
    QuarterlyReportEvent,
    ReportAnswer,
    ServiceMeeting,
    ServiceMeetingEvent,
)

__all__ += [
    "MeetingMeasure",
    "QuarterlyReport",
    "QuarterlyReportEvent",
    "ReportAnswer",
    "ServiceMeeting",
    "ServiceMeetingEvent",
]

from app.models.assessments import (  # noqa: E402 — issue 10's annual assessment
    Assessment,
    AssessmentDeduction,
    AssessmentEvent,
    AssessmentLine,
    AssessmentObjection,
)

__all__ += [
    "Assessment",
    "AssessmentDeduction",
    "AssessmentEvent",
    "AssessmentLine",
    "AssessmentObjection",
]

# Excel imports of cases (Art.13).
from app.models.case_import import CaseImport  # noqa: E402

__all__ += ["CaseImport"]
