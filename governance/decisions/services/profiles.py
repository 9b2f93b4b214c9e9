"""An organisation's document profile (how its memos look), edited by its clerks and loaded from the seeds."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.core.services import actor_display_name, audit_record
from governance.parties.models import Organisation

from .. import permissions
from ..choices import DecisionAction, MemoSection, MemoTitle, PointStyle
from ..memo_paper import TOKENS
from ..models import DocumentProfile
from ..models.profiles import MAX_LINES_TEXT, MAX_SECTION_HEADING, MAX_SIGNATORIES

TEXT_LIMITS = {
    "department": 200,
    "presenter": 300,
    "signature_place": 100,
    "signature_intro": 200,
    "signatories": 600,
    "extra_points": MAX_LINES_TEXT,
    "own_points": MAX_LINES_TEXT,
    "basis_lines": MAX_LINES_TEXT,
    "attachment_lines": MAX_LINES_TEXT,
    "dispatch_lines": MAX_LINES_TEXT,
}
FIELDS = [
    "memo_title",
    "department",
    "sections",
    "point_style",
    "decision_subheading",
    *[name for name in TEXT_LIMITS if name != "department"],
    "amounts_in_words",
]


def _problems(values: dict) -> list[str]:
    labels = {f.name: str(f.verbose_name) for f in DocumentProfile._meta.fields}
    errors = []
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            errors.append(
                _("%(field)s: högst %(n)s tecken.") % {"field": labels[name].capitalize(), "n": limit}
            )
    if values.get("memo_title") not in MemoTitle.values:
        errors.append(_("Dokumentets namn: välj ett av alternativen."))
    if values.get("point_style") not in PointStyle.values:
        errors.append(_("Numrering: välj ett av alternativen."))
    signatories = [line for line in (values.get("signatories") or "").splitlines() if line.strip()]
    if len(signatories) > MAX_SIGNATORIES:
        errors.append(_("Underskrifter: högst %(n)s personer.") % {"n": MAX_SIGNATORIES})
    sections = values.get("sections") or []
    keys = [key for key, _heading in sections]
    if any(key not in MemoSection.values for key in keys):
        errors.append(_("Rubriker: okänd del av utlåtandet."))
    if len(set(keys)) != len(keys):
        errors.append(_("Rubriker: varje del får bara finnas en gång."))
    if MemoSection.PROPOSALS not in keys:
        errors.append(_("Rubriker: förslaget till beslut måste finnas med."))
    if any(len(heading or "") > MAX_SECTION_HEADING for _key, heading in sections):
        errors.append(_("Rubriker: högst %(n)s tecken per rubrik.") % {"n": MAX_SECTION_HEADING})
    # Placeholders: only the known ones, written whole; anything else would be printed as it stands.
    for name in PLACEHOLDER_FIELDS:
        stray = _stray_braces(values.get(name) or "", TOKENS)
        if stray:
            errors.append(
                _("%(field)s: okänd platshållare eller ensam klammer: %(what)s. Kända: %(known)s.")
                % {"field": labels[name].capitalize(), "what": stray, "known": ", ".join(TOKENS)}
            )
    for _key, heading in sections:
        stray = _stray_braces(heading or "", {"{förvaltningens}": ""})
        if stray:
            errors.append(
                _("Rubriker: ”%(what)s” är ingen platshållare; i en rubrik finns bara {förvaltningens}.")
                % {"what": stray}
            )
    return errors


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
PLACEHOLDER_FIELDS = ("extra_points", "own_points", "basis_lines", "attachment_lines", "dispatch_lines")


def _stray_braces(text: str, known) -> str:
    """The first unknown ``{…}`` or lone brace in ``text``; empty when every brace is a known placeholder."""
    unknown = [m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(0) not in known]
    if unknown:
        return unknown[0]
    rest = _PLACEHOLDER.sub("", text)
    return "{" if "{" in rest else "}" if "}" in rest else ""


def document_profile_save(*, acting_user, organisation: Organisation, **values) -> DocumentProfile:
    """Create or change an organisation's document profile; one audit row with the fields that changed.

    ``values`` are the profile's fields (``FIELDS``); ``sections`` is a list of ``[key, heading]`` in order.
    Saving the same values again writes nothing.
    """
    permissions.check_edit_document_profile(acting_user, organisation)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    values = {key: (value.strip() if isinstance(value, str) else value) for key, value in values.items()}
    if "sections" in values:
        values["sections"] = [[str(key), (heading or "").strip()] for key, heading in values["sections"]]
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        profile = DocumentProfile.objects.filter(organisation=organisation).first()
        created = profile is None
        profile = profile or DocumentProfile(organisation=organisation)
        merged = {name: values.get(name, getattr(profile, name)) for name in FIELDS}
        if "sections" not in values and not merged["sections"]:  # an unsaved profile: the default parts
            merged["sections"] = [list(item) for item in profile.section_list]
        errors = _problems(merged)
        if errors:
            raise ValidationError(errors)
        changed = {name: merged[name] for name in FIELDS if getattr(profile, name) != merged[name]}
        if not changed and not created:
            return profile
        for name, value in merged.items():
            setattr(profile, name, value)
        profile.updated_at = timezone.now()
        profile.updated_by_name = actor_display_name(acting_user)
        profile.save()
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.DOCUMENT_PROFILE_CHANGED,
            obj=organisation,
            payload={"changed": sorted(changed)},
        )
    return profile


def document_profiles_load(*, acting_user, profiles: list[dict]) -> int:
    """The profiles shipped from the seeds (fixtures/document_profiles.json), by organisation name.
    Idempotent; a profile a clerk has changed since is left as it is."""
    count = 0
    for data in profiles:
        organisation = Organisation.objects.get(name=data["organisation"])
        if (
            DocumentProfile.objects.filter(organisation=organisation)
            .exclude(updated_by_name=actor_display_name(None))
            .exists()
        ):
            continue
        fields = {key: value for key, value in data.items() if key in FIELDS}
        for key in TEXT_LIMITS:
            if isinstance(fields.get(key), list):
                fields[key] = "\n".join(fields[key])
        document_profile_save(acting_user=acting_user, organisation=organisation, **fields)
        count += 1
    return count
