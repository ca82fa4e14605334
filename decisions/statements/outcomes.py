"""Outcome groups: the Ombudsman's published outcome labels, normalised for filters and figures.

The published label is kept as it is (`Upheld: maladministration and injustice`, `Not upheld: no
maladministration`, `Closed after initial enquiries - out of jurisdiction`, …); its group is what
"Upheld" in a filter or a council's upheld share counts. A pure module: no Django import.
"""

from __future__ import annotations

import re

UPHELD = "upheld"
NOT_UPHELD = "not_upheld"
NOT_INVESTIGATED = "not_investigated"
OUTSIDE_JURISDICTION = "outside_jurisdiction"
PREMATURE = "premature"
WITHDRAWN = "withdrawn"
OTHER = "other"
NOT_STATED = "not_stated"

# (group, label shown to readers), in the order filters list them.
OUTCOME_GROUPS: tuple[tuple[str, str], ...] = (
    (UPHELD, "Upheld"),
    (NOT_UPHELD, "Not upheld"),
    (NOT_INVESTIGATED, "Closed after initial enquiries"),
    (OUTSIDE_JURISDICTION, "Outside jurisdiction"),
    (PREMATURE, "Premature or referred back"),
    (WITHDRAWN, "Withdrawn"),
    (OTHER, "Other outcome"),
    (NOT_STATED, "Outcome not stated"),
)
INVESTIGATED_GROUPS = (UPHELD, NOT_UPHELD)

# Checked in order: the first that matches the label decides its group.
_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"jurisdiction|no power", re.I), OUTSIDE_JURISDICTION),
    (re.compile(r"^\s*not\s+upheld|\bnot upheld\b|no maladministration|\bno fault\b", re.I), NOT_UPHELD),
    (re.compile(r"^\s*upheld\b|\bmaladministration\b|\bfault\b|\binjustice\b", re.I), UPHELD),
    (re.compile(r"premature|referred back|local resolution", re.I), PREMATURE),
    (re.compile(r"withdrawn", re.I), WITHDRAWN),
    (re.compile(r"initial enquiries|not investigated|discontinued|closed\b|no further action|not pursued"
                r"|investigation (?:ended|stopped)", re.I), NOT_INVESTIGATED),
)


def outcome_group(label: str | None) -> str:
    """The group of a published outcome label."""
    if not label or not label.strip():
        return NOT_STATED
    for pattern, group in _RULES:
        if pattern.search(label):
            return group
    return OTHER


def group_label(group: str) -> str:
    return dict(OUTCOME_GROUPS).get(group, group)


# What each outcome group means, in plain English (the glossary, /help/terms/).
GROUP_MEANINGS = {
    UPHELD: "The Ombudsman investigated and found the organisation at fault, at least in part.",
    NOT_UPHELD: "The Ombudsman investigated and found no fault.",
    NOT_INVESTIGATED: "The Ombudsman looked at the complaint and decided not to investigate it, saying why.",
    OUTSIDE_JURISDICTION: "The law does not allow the Ombudsman to consider the complaint.",
    PREMATURE: "The organisation had not yet had the chance to deal with the complaint itself, so it was sent back.",
    WITHDRAWN: "The person withdrew the complaint.",
    OTHER: "Another outcome the Ombudsman used.",
    NOT_STATED: "The published statement does not say the outcome.",
}
