"""The spreadsheet columns of a plan: the headers export writes and every synonym import accepts.

Kept in one place so that whatever `csv` and `xlsx` export writes, `mapgen import` reads back,
and so that a header typed as "Resp.", "Due Date (MM/DD)" or "Client-facing Y/N" finds its field.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from mapgen.spec import Role, Status


class Field(StrEnum):
    """What a column holds."""

    NUMBER = "number"
    ID = "id"
    PHASE = "phase"
    ACTION = "action"
    OWNER = "owner"
    OWNER_ID = "owner_id"
    SIDE = "side"
    ROLE = "role"
    TITLE = "title"
    EMAIL = "email"
    CONTRIBUTORS = "contributors"
    CONTRIBUTOR_IDS = "contributor_ids"
    DUE = "due"
    COMPLETED = "completed"
    STATUS = "status"
    DEPENDS_ON = "depends_on"
    MILESTONE = "milestone"
    CLIENT_FACING = "client_facing"
    INTERNAL = "internal"
    VISIBILITY = "visibility"
    OUTCOME = "outcome"
    NOTES = "notes"
    IGNORE = "ignore"


EXPORT_HEADERS: tuple[tuple[Field, str], ...] = (
    (Field.NUMBER, "#"),
    (Field.ID, "ID"),
    (Field.PHASE, "Phase"),
    (Field.ACTION, "Action"),
    (Field.OWNER, "Owner"),
    (Field.OWNER_ID, "Owner ID"),
    (Field.SIDE, "Side"),
    (Field.ROLE, "Role"),
    (Field.TITLE, "Title"),
    (Field.EMAIL, "Email"),
    (Field.CONTRIBUTORS, "Contributors"),
    (Field.CONTRIBUTOR_IDS, "Contributor IDs"),
    (Field.DUE, "Due"),
    (Field.COMPLETED, "Completed"),
    (Field.STATUS, "Status"),
    (Field.IGNORE, "Tracking"),
    (Field.DEPENDS_ON, "Depends On"),
    (Field.MILESTONE, "Milestone"),
    (Field.CLIENT_FACING, "Client-Facing"),
    (Field.OUTCOME, "Outcome"),
    (Field.NOTES, "Notes"),
)
"""Export's columns in order; "Tracking" is the derived state (on track, overdue...), not imported."""

_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.NUMBER: (
        "no",
        "num",
        "number",
        "stepno",
        "stepnumber",
        "itemno",
        "taskno",
        "row",
        "rowno",
        "seq",
        "sequence",
        "order",
        "line",
        "lineno",
        "idx",
        "index",
        "nr",
        "nro",
    ),
    Field.ID: ("id", "actionid", "taskid", "stepid", "key", "ref", "reference", "slug"),
    Field.OWNER_ID: ("ownerid", "stakeholderid", "personid", "ownerkey"),
    Field.PHASE: (
        "phase",
        "stage",
        "workstream",
        "category",
        "section",
        "group",
        "milestonephase",
        "phasename",
        "stream",
        "track",
        "period",
    ),
    Field.ACTION: (
        "action",
        "step",
        "task",
        "activity",
        "actionitem",
        "todo",
        "nextstep",
        "taskname",
        "actionstep",
        "what",
        "actions",
        "steps",
        "tasks",
        "activities",
        "actionname",
        "stepname",
        "mutualaction",
        "keyaction",
        "item",
        "actiondescription",
        "taskdescription",
        "stepdescription",
    ),
    Field.OWNER: (
        "owner",
        "responsible",
        "assignee",
        "assignedto",
        "who",
        "dri",
        "accountable",
        "resp",
        "responsibleparty",
        "ownername",
        "person",
        "personresponsible",
        "assigned",
        "actionowner",
        "taskowner",
        "responsibility",
        "lead",
        "contactname",
    ),
    Field.SIDE: (
        "side",
        "party",
        "team",
        "company",
        "organisation",
        "organization",
        "org",
        "ownerside",
        "buyerseller",
        "sellerbuyer",
        "customervendor",
        "clientprovider",
        "ownerteam",
        "ownercompany",
        "whichside",
        "partyresponsible",
    ),
    Field.ROLE: ("role", "ownerrole", "contactrole", "dealrole", "rolecontact", "function"),
    Field.TITLE: ("title", "jobtitle", "position", "ownertitle", "contacttitle", "designation"),
    Field.EMAIL: ("email", "contact", "owneremail", "contactemail", "emailaddress", "mail", "ownercontact"),
    Field.DUE: (
        "due",
        "duedate",
        "targetdate",
        "deadline",
        "date",
        "by",
        "bywhen",
        "when",
        "targetcompletion",
        "targetcompletiondate",
        "enddate",
        "planneddate",
        "plandate",
        "finishdate",
        "dueby",
        "target",
        "datedue",
        "deliverydate",
        "timeline",
        "commitdate",
        "committeddate",
        "scheduleddate",
        "expecteddate",
        "eta",
    ),
    Field.COMPLETED: (
        "completed",
        "completeddate",
        "completiondate",
        "datecompleted",
        "donedate",
        "actualdate",
        "actualcompletion",
        "actualcompletiondate",
        "closeddate",
        "dateclosed",
        "datedone",
        "finisheddate",
        "completedon",
        "actualend",
        "actualfinish",
    ),
    Field.STATUS: (
        "status",
        "state",
        "progress",
        "currentstatus",
        "taskstatus",
        "actionstatus",
        "done",
        "complete",
        "isdone",
    ),
    Field.DEPENDS_ON: (
        "dependson",
        "dependencies",
        "dependency",
        "depends",
        "predecessor",
        "predecessors",
        "after",
        "blockedby",
        "prereq",
        "prereqs",
        "prerequisite",
        "prerequisites",
        "requires",
        "dependent",
        "dependenton",
        "waitingon",
    ),
    Field.MILESTONE: ("milestone", "keydate", "ismilestone", "keymilestone", "milestones", "flagmilestone"),
    Field.CLIENT_FACING: (
        "clientfacing",
        "customerfacing",
        "buyerfacing",
        "shared",
        "external",
        "visibletoclient",
        "visibletobuyer",
        "visibletocustomer",
        "share",
        "sharewithclient",
        "sharewithbuyer",
        "sharewithcustomer",
        "public",
        "showclient",
        "showbuyer",
        "clientvisible",
        "buyervisible",
        "customervisible",
    ),
    Field.INTERNAL: (
        "internal",
        "internalonly",
        "private",
        "selleronly",
        "vendoronly",
        "hidden",
        "hidefromclient",
        "hidefrombuyer",
    ),
    Field.CONTRIBUTORS: (
        "contributors",
        "contributor",
        "collaborators",
        "coowners",
        "coowner",
        "supporting",
        "supportedby",
        "alsoinvolved",
        "involved",
        "participants",
        "with",
        "consulted",
    ),
    Field.CONTRIBUTOR_IDS: ("contributorids", "contributorid", "collaboratorids"),
    Field.VISIBILITY: ("visibility", "audience", "visibleto", "sharedwith"),
    Field.OUTCOME: (
        "successcriteria",
        "outcome",
        "exitcriteria",
        "definitionofdone",
        "result",
        "expectedoutcome",
        "deliverable",
        "deliverables",
        "criteria",
        "dod",
        "acceptancecriteria",
        "expectedresult",
        "outcomes",
        "goal",
        "purpose",
    ),
    Field.NOTES: (
        "notes",
        "note",
        "comments",
        "comment",
        "remarks",
        "details",
        "commentary",
        "updates",
        "latestupdate",
        "additionalnotes",
        "context",
        "info",
    ),
    Field.IGNORE: ("tracking", "health", "rag", "ragstatus", "daysleft", "dayslate", "ignore", "skip"),
}
"""Normalised headers (lowercase letters and digits only; "#" reads as "no") by field."""

_SECONDARY: dict[str, Field] = {"description": Field.ACTION, "name": Field.ACTION, "summary": Field.ACTION}
"""Headers that mean a field only when no other column already does (a "Description" beside a
"Task" column is notes; alone, it is the action)."""

_LOOKUP: dict[str, Field] = {
    synonym: field for field, synonyms in _SYNONYMS.items() for synonym in synonyms
} | {field.value.replace("_", ""): field for field in Field}


def normalise(header: str) -> str:
    """ "Client-Facing (Y/N)?" -> "clientfacing": case, accents, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\(.*?\)", "", text).replace("#", " no ")
    text = re.sub(r"[^a-z0-9]+", "", text)
    for suffix in ("yn", "yesno", "tf"):
        if text.endswith(suffix) and len(text) > len(suffix) + 2:
            text = text.removesuffix(suffix)
    return text


def field_for(header: str) -> Field | None:
    """The field a header names, or None; secondary meanings are resolved by `assign_fields`."""
    key = normalise(header)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    for prefix in ("owner", "action", "task", "step", "item"):
        if key.startswith(prefix) and key.removeprefix(prefix) in _LOOKUP:
            return _LOOKUP[key.removeprefix(prefix)]
    parts = [p for p in re.split(r"[/|&]", header) if p.strip()]
    if len(parts) > 1:
        found = [f for f in (field_for(part) for part in parts) if f is not None]
        return Field.ACTION if Field.ACTION in found else (found[0] if found else None)
    return None


def assign_fields(headers: list[str]) -> dict[int, Field]:
    """Column index -> field for one header row; the first column of each field wins."""
    found: dict[int, Field] = {}
    taken: set[Field] = set()
    for index, header in enumerate(headers):
        field = field_for(header)
        if field is None or (field in taken and field is not Field.IGNORE):
            continue
        found[index] = field
        taken.add(field)
    for index, header in enumerate(headers):
        secondary = _SECONDARY.get(normalise(header))
        if index in found or secondary is None:
            continue
        field = secondary if secondary not in taken else Field.NOTES
        if field not in taken:
            found[index] = field
            taken.add(field)
    return found


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "Not Started",
    Status.IN_PROGRESS: "In Progress",
    Status.DONE: "Done",
    Status.BLOCKED: "Blocked",
}

_STATUS_WORDS: dict[str, Status] = {
    **{
        w: Status.DONE
        for w in (
            "done",
            "complete",
            "completed",
            "finished",
            "closed",
            "yes",
            "y",
            "x",
            "✓",
            "✔",
            "☑",
            "✅",
            "100",
            "100%",
            "signed",
            "delivered",
            "achieved",
            "resolved",
            "true",
            "ok",
            "approved",
            "accomplished",
            "erledigt",
            "fertig",
            "abgeschlossen",
            "termine",
            "fait",
            "hecho",
            "completado",
        )
    },
    **{
        w: Status.IN_PROGRESS
        for w in (
            "inprogress",
            "wip",
            "started",
            "ongoing",
            "underway",
            "working",
            "inreview",
            "active",
            "doing",
            "progress",
            "partial",
            "partially",
            "workinprogress",
            "pendingreview",
            "ontrack",
            "inbearbeitung",
            "laufend",
            "encours",
            "enproceso",
        )
    },
    **{
        w: Status.NOT_STARTED
        for w in (
            "notstarted",
            "todo",
            "open",
            "pending",
            "planned",
            "new",
            "notyetstarted",
            "scheduled",
            "upcoming",
            "no",
            "n",
            "false",
            "notdone",
            "0",
            "0%",
            "tbd",
            "backlog",
            "future",
            "queued",
            "offen",
            "geplant",
            "afaire",
            "pendiente",
        )
    },
    **{
        w: Status.BLOCKED
        for w in (
            "blocked",
            "atrisk",
            "stuck",
            "onhold",
            "hold",
            "delayed",
            "risk",
            "waiting",
            "offtrack",
            "issue",
            "escalated",
            "late",
            "overdue",
            "red",
            "paused",
            "blockiert",
            "bloque",
            "bloqueado",
        )
    },
}
"""Spreadsheet statuses. "At risk", "on hold", "delayed" and "off track" read as blocked: the plan
has four statuses and reading them as in progress would hide the risk from both sides."""


def parse_status(text: str) -> Status | None:
    """A status from any common spreadsheet wording, or None when it is not one."""
    key = re.sub(r"[^a-z0-9%✓✔☑✅]+", "", text.strip().lower())
    if key in _STATUS_WORDS:
        return _STATUS_WORDS[key]
    words = re.sub(r"[^a-z0-9%]+", "", key)
    if words in _STATUS_WORDS:
        return _STATUS_WORDS[words]
    if key[:1] in ("✓", "✔", "☑", "✅"):
        return Status.DONE
    match = re.fullmatch(r"(\d{1,3})%", key)
    if match:
        return Status.IN_PROGRESS if 0 < int(match.group(1)) < 100 else None
    return None


_YES = {
    "y",
    "yes",
    "true",
    "x",
    "1",
    "✓",
    "✔",
    "☑",
    "✅",
    "shared",
    "client",
    "buyer",
    "external",
    "public",
    "ja",
    "j",
    "oui",
    "si",
    "sí",
    "both",
    "everyone",
    "all",
}
_NO = {
    "n",
    "no",
    "false",
    "0",
    "-",
    "internal",
    "private",
    "seller",
    "vendor",
    "nein",
    "non",
    "internalonly",
    "selleronly",
}


def parse_flag(text: str) -> bool | None:
    """Y/N, yes/no, x, ✓, true/false, 1/0 -> bool; '' -> None; anything else -> ValueError."""
    key = text.strip().lower().replace(" ", "")
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(f"'{text}' is not yes or no (use Y/N, Yes/No, X or ✓)")


_ROLE_WORDS: dict[str, Role] = {
    **{role.value.replace("_", ""): role for role in Role},
    "eb": Role.ECONOMIC_BUYER,
    "budgetholder": Role.ECONOMIC_BUYER,
    "signer": Role.ECONOMIC_BUYER,
    "signatory": Role.ECONOMIC_BUYER,
    "dm": Role.DECISION_MAKER,
    "sponsor": Role.EXECUTIVE_SPONSOR,
    "execsponsor": Role.EXECUTIVE_SPONSOR,
    "ae": Role.ACCOUNT_EXECUTIVE,
    "sales": Role.ACCOUNT_EXECUTIVE,
    "accountmanager": Role.ACCOUNT_EXECUTIVE,
    "am": Role.ACCOUNT_EXECUTIVE,
    "se": Role.SALES_ENGINEER,
    "solutionsengineer": Role.SALES_ENGINEER,
    "solutionengineer": Role.SALES_ENGINEER,
    "presales": Role.SALES_ENGINEER,
    "csm": Role.CUSTOMER_SUCCESS,
    "customersuccessmanager": Role.CUSTOMER_SUCCESS,
    "technical": Role.TECHNICAL_EVALUATOR,
    "it": Role.TECHNICAL_EVALUATOR,
    "infosec": Role.SECURITY,
    "counsel": Role.LEGAL,
    "user": Role.END_USER,
    "enduser": Role.END_USER,
    "purchasing": Role.PROCUREMENT,
    "sourcing": Role.PROCUREMENT,
}


def parse_role(text: str) -> Role | None:
    """A stakeholder role from its name or a common abbreviation (EB, AE, CSM...), or None."""
    return _ROLE_WORDS.get(re.sub(r"[^a-z]+", "", text.lower()))
