"""The permission matrix: every URL pattern of the project, requested as every role, against one table.

A URL added without an entry in ``MATRIX`` (or, for the Django admin, without falling under its rule)
fails ``test_every_url_pattern_is_declared``. Views check the method first, then login, then permission:
a POST to a GET-only view answers 405 to everyone.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from governance.parties.models import Organisation, Person

ROLES = [
    "anonymous",
    "ksl_officer",
    "danderyd_clerk",
    "ekero_clerk",
    "chair",
    "member",
    "host_admin",
    "outsider",
]


def everyone(code):
    return dict.fromkeys(ROLES, code)


def people_of_parties(code):
    """Anyone with a role or a person record at a party; anonymous goes to login, outsiders are refused."""
    return {**everyone(code), "anonymous": 302, "outsider": 403}


def only(code_for, *roles, others=403):
    return {**everyone(others), "anonymous": 302, **dict.fromkeys(roles, code_for)}


# The REST API (/api/v1/) answers 401 where a page sends the browser to the login (302), and 403/404 as the
# page does; a method the endpoint lacks is 405 once the caller has passed authentication and permission.
def api_everyone(code):
    return {**everyone(code), "anonymous": 401}


def api_people(code):
    """As ``people_of_parties``: anyone with a role or a person record at a party."""
    return {**everyone(code), "anonymous": 401, "outsider": 403}


def api_only(code_for, *roles, others=403):
    return {**everyone(others), "anonymous": 401, **dict.fromkeys(roles, code_for)}


MEMBERS_OF_STYRGRUPP = ("chair", "member", "ksl_officer", "host_admin")


EKERO = "ekero"  # sample objects are Ekerö's, so Danderyd's clerk is tested against another municipality
EKERO_CASE = "ekero-case"  # Ekerö's case on the 2016 recommendation
EKERO_DOC = "ekero-doc"  # a finished memo (with a PDF) on that case, in a KSL batch
BATCH = "batch"
MEETING = (
    "meeting"  # a planned steering-group meeting with a paper and an approved (unpublished) minutes version
)
ITEM = "item"
REPORT = "report"
TOKEN = "token"  # the chair's calendar token: feeds authenticate by token, not by session
BATCH_KEY = "5b1f2f3e-0000-4000-8000-000000000001"
DRAFT = "matris-utkast"  # KSL's draft recommendation (to Danderyd and Ekerö) with one attachment
DRAFT_ATTACHMENT = "draft-attachment"
WEBHOOK = "webhook"  # Ekerö's clerk's webhook endpoint, with one failed delivery

# Another user's webhook does not exist for you (404); outsiders may not use webhooks at all (403).
WEBHOOK_OWNER_ONLY = {**everyone(404), "anonymous": 302, "outsider": 403}
WEBHOOK_DELIVERY = "webhook-delivery"  # that endpoint's failed delivery
API_WEBHOOK_OWNER_ONLY = {**everyone(404), "anonymous": 401, "outsider": 403, "ekero_clerk": 200}
# Samples of the API's resources, made or found on first use (``_api_sample``).
EKERO_BODY = "ekero-body"  # one of Ekerö's own bodies (a nämnd)
EKERO_POPULATION = "ekero-population"
STYRGRUPP_MEMBERSHIP = "styrgrupp-membership"
MINUTES = "minutes"  # the sample meeting's approved, unpublished minutes (version 1)
CHAIR_API_TOKEN = "chair-api-token"  # the chair's API token: only the chair may revoke it
DIARY_ENTRY = "diary-entry"  # Ekerö's 2012 remissvar as KSL received it (open, no file)
EKERO_CLOSED = "ekero-closed"  # Ekerö's case on the 2012 recommendation: closed (the agreement was renewed)
MINUTES_YEAR = "minutes-year"  # the year of the sample meeting, whose justerade protokoll is registered
DIARY_SECRET = "diary-secret"  # Ekerö's signed agreement of 2012 (a file), marked secret (OSL 21 kap. 7 §)

# name -> (sample kwargs, GET expectations, POST expectations or None for "GET-only")
MATRIX = {
    "home": ({}, everyone(200), None),
    "health": ({}, everyone(200), None),
    "login": ({}, everyone(200), everyone(200)),  # an empty POST re-renders the form with errors
    "logout": ({}, everyone(405), everyone(302)),  # Django's LogoutView: POST only
    "parties:list": ({}, people_of_parties(200), None),
    "parties:detail": ({"pk": EKERO}, people_of_parties(200), None),
    "parties:contact_add": (
        {"pk": EKERO},
        only(200, "ekero_clerk", "host_admin"),
        only(400, "ekero_clerk", "host_admin"),  # empty form: 400 with messages, nothing stored
    ),
    "diary:register": ({}, people_of_parties(200), None),
    "search:results": ({}, people_of_parties(200), None),
    "diary:export_csv": ({}, people_of_parties(200), None),
    "diary:export_xlsx": ({}, people_of_parties(200), None),
    # An empty POST clears the mark: only the series' registrars (KSL's series: KSL's officer) and superusers.
    "diary:entry": ({"pk": DIARY_ENTRY}, people_of_parties(200), only(302, "ksl_officer", "host_admin")),
    # A secret entry's file: Ekerö's clerks, KSL (reads every case) and superusers; others see only the entry.
    "diary:entry_file": ({"pk": DIARY_SECRET}, only(200, "ekero_clerk", "ksl_officer", "host_admin"), None),
    "agreements:list": ({}, people_of_parties(200), None),
    "agreements:costs": ({"slug": "origo"}, people_of_parties(200), None),
    "agreements:costs_csv": ({"slug": "origo"}, people_of_parties(200), None),
    "agreements:costs_xlsx": ({"slug": "origo"}, people_of_parties(200), None),
    "agreements:cost_model_edit": ({"slug": "origo"}, only(200, "host_admin"), only(400, "host_admin")),
    # Ekerö's split among its bodies: an empty POST names no body (400, nothing stored).
    "agreements:cost_split_edit": (
        {"slug": "origo", "pk": EKERO},
        only(200, "host_admin", "ekero_clerk"),
        only(400, "host_admin", "ekero_clerk"),
    ),
    "decisions:list": ({}, everyone(200), None),  # published
    "decisions:compilation": ({"slug": "origo-remiss-2011"}, people_of_parties(200), None),
    # Another municipality's case: its existence is confidential, so 404 (not 403).
    "decisions:case": (
        {"pk": EKERO_CASE},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        None,
    ),
    "decisions:case_action": (
        {"pk": EKERO_CASE, "action": "start_preparation"},
        everyone(405),
        # Ekerö's clerk may act (empty form: 400); KSL may read but not act for a municipality (403).
        {**everyone(404), "anonymous": 302, "ksl_officer": 403, "ekero_clerk": 400},
    ),
    # A closed case's archive package: as the signed copy, the municipality's clerks and KSL.
    "decisions:case_archive": (
        {"pk": EKERO_CLOSED},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        None,
    ),
    "decisions:signature": (
        {"pk": EKERO_CASE},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        None,
    ),
    "decisions:memo_form": (
        {"pk": EKERO_CASE},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        {**everyone(404), "anonymous": 302, "ksl_officer": 400, "ekero_clerk": 400},
    ),
    "documents:document": (
        {"pk": EKERO_DOC},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        None,
    ),
    "documents:document_docx": (
        {"pk": EKERO_DOC},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        None,
    ),
    "documents:document_pdf": (
        {"pk": EKERO_DOC},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        None,
    ),
    # An empty POST names no document kind: 404 for everyone logged in.
    "documents:document_create": ({}, everyone(405), {**everyone(404), "anonymous": 302}),
    "documents:templates": ({}, only(200, "host_admin"), only(400, "host_admin")),
    "documents:template_builtin": ({"kind": "memo"}, only(200, "host_admin"), None),
    "documents:template_restore": ({"kind": "memo"}, everyone(405), only(302, "host_admin")),
    "documents:batch": ({"key": BATCH}, only(200, "ksl_officer"), None),
    "decisions:batch_create": ({"slug": "origo-2016"}, everyone(405), only(302, "ksl_officer")),
    "decisions:dashboard": ({"slug": "origo-2016"}, only(200, "ksl_officer"), None),
    "decisions:matrix_csv": ({"slug": "origo-2016"}, only(200, "ksl_officer"), None),
    "decisions:matrix_xlsx": ({"slug": "origo-2016"}, only(200, "ksl_officer"), None),
    # Issue 10: the case's chain and the anslag date (Ekerö's clerk edits: an empty POST is 400; KSL reads, 403).
    "decisions:case_chain": (
        {"pk": EKERO_CASE},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        {**everyone(404), "anonymous": 302, "ksl_officer": 403, "ekero_clerk": 400},
    ),
    "decisions:case_registration": (
        {"pk": EKERO_CASE},
        everyone(405),
        {**everyone(404), "anonymous": 302, "ksl_officer": 403, "ekero_clerk": 302},
    ),
    "decisions:decision_posting": (
        {"pk": EKERO_CASE},
        everyone(405),
        {**everyone(404), "anonymous": 302, "ksl_officer": 403, "ekero_clerk": 400},
    ),
    # Ekerö's usual decision chain: its clerk edits, KSL reads, everyone else 404 like a case.
    "decisions:usual_chain": (
        {"organisation_id": EKERO},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        {**everyone(404), "anonymous": 302, "ksl_officer": 403, "ekero_clerk": 400},
    ),
    # Ekerö's document profile: the same — its clerk edits, KSL reads.
    "decisions:document_profile": (
        {"organisation_id": EKERO},
        {**everyone(404), "anonymous": 302, "ksl_officer": 200, "ekero_clerk": 200},
        {**everyone(404), "anonymous": 302, "ksl_officer": 403, "ekero_clerk": 400},
    ),
    "meetings:published_minutes": ({}, everyone(200), None),
    # OParl (read-only, public): everyone reads the published part; a POST is a JSON 405. The samples are the
    # parts of a published meeting (``_oparl_samples``).
    "oparl:system": ({}, everyone(200), None),
    "oparl:not_found": ({"rest": "finns-inte/"}, everyone(404), everyone(404)),  # JSON, as OParl's others
    "oparl:body_list": ({}, everyone(200), None),
    "oparl:body": ({"key": "samverkan"}, everyone(200), None),
    **{
        f"oparl:{kind}_list": ({"key": "samverkan"}, everyone(200), None)
        for kind in ("organization", "person", "membership", "meeting", "agendaitem", "paper", "file")
    },
    **{
        f"oparl:{kind}": ({"pk": f"oparl-{kind}"}, everyone(200), None)
        for kind in ("organization", "person", "membership", "meeting", "agendaitem", "paper", "file")
    },
    "oparl:organization_meetings": ({"pk": "oparl-organization"}, everyone(200), None),
    "oparl:party": ({"pk": "oparl-party"}, everyone(200), None),
    "meetings:calendar_links": ({}, {**everyone(200), "anonymous": 302}, None),
    # Creating or replacing one's own feed secret: anyone logged in, for themselves only.
    "meetings:calendar_token_rotate": ({}, everyone(405), everyone(302)),
    "meetings:calendar_mine": ({"token": TOKEN}, everyone(200), None),
    "meetings:calendar_body": ({"token": TOKEN, "slug": "styrgrupp"}, everyone(200), None),
    # Members of any body (the forum holds Danderyd and Ekerö) and those who see every body.
    "meetings:followup": ({"pk": REPORT}, {**everyone(200), "anonymous": 302, "outsider": 403}, None),
    "meetings:meeting": ({"pk": MEETING}, only(200, "chair", "member", "ksl_officer", "host_admin"), None),
    "meetings:notice_docx": (
        {"pk": MEETING},
        only(200, "chair", "member", "ksl_officer", "host_admin"),
        None,
    ),
    # Unpublished minutes: members only, 404 to everyone else (anonymous too).
    "meetings:minutes_docx": (
        {"pk": MEETING, "version": 1},
        only(200, "chair", "member", "ksl_officer", "host_admin", others=404) | {"anonymous": 404},
        None,
    ),
    "meetings:minutes_pdf": (
        {"pk": MEETING, "version": 1},
        only(200, "chair", "member", "ksl_officer", "host_admin", others=404) | {"anonymous": 404},
        None,
    ),
    "meetings:extract": (
        {"pk": MEETING, "paragraph": 1},
        only(200, "chair", "member", "ksl_officer", "host_admin", others=404) | {"anonymous": 404},
        None,
    ),
    # The chair asks for the notice (302); KSL, the host admin and members may read but not prepare (403).
    # One POST-only view per meeting action. The sample meeting is planned: the chair's empty forms are 400s
    # (the notice is queued: 302); managing actions refuse everyone else (403). Answering the notice and
    # approving the minutes check the form or state first, so a viewer without the right gets the 400.
    "meetings:meeting_notice": ({"pk": MEETING}, everyone(405), only(302, "chair")),
    **{
        f"meetings:meeting_{name}": ({"pk": MEETING}, everyone(405), only(400, "chair"))
        for name in (
            "item_add",
            "paper_add",
            "followup",
            "carry",
            "move",
            "attendance",
            "outcome",
            "hold",
            "minutes",
            "publish",
            "correct",
            "cancel",
            "postpone",
            "replan",
            "item_remove",
            "reschedule",
            "approval_record",
        )
    },
    **{
        f"meetings:meeting_{name}": (
            {"pk": MEETING},
            everyone(405),
            only(400, "chair", "member", "ksl_officer", "host_admin"),
        )
        for name in ("rsvp", "approve")
    },
    "meetings:paper": ({"pk": ITEM}, only(200, "chair", "member", "ksl_officer", "host_admin"), None),
    # An empty plan form: 400 for the chair; the others may not plan.
    "meetings:body_action": ({"slug": "styrgrupp", "action": "plan"}, everyone(405), only(400, "chair")),
    "meetings:body_list": ({}, {**everyone(200), "anonymous": 302}, None),  # each sees their own bodies
    # Styrgruppen: its members (chair, KSL's seat, Botkyrka's member) and the host admin; not Danderyd, Ekerö.
    # A year's minutes as an archive package: those who manage the body (its chair and secretary).
    "meetings:minutes_archive": (
        {"slug": "styrgrupp", "year": MINUTES_YEAR},
        only(200, "chair"),
        None,
    ),
    "meetings:body_detail": (
        {"slug": "styrgrupp"},
        only(200, "chair", "member", "ksl_officer", "host_admin"),
        None,
    ),
    # KSL's pages (KSL officers, and host administrators, who hold the same permission); empty POSTs: 400.
    "agreements:create": ({}, only(200, "ksl_officer", "host_admin"), only(400, "ksl_officer", "host_admin")),
    "decisions:recommendation_create": (
        {},
        only(200, "ksl_officer", "host_admin"),
        only(400, "ksl_officer", "host_admin"),
    ),
    # A sent recommendation: KSL and the people of its recipients (Danderyd's, Ekerö's clerks).
    "decisions:recommendation": (
        {"slug": "origo-2016"},
        only(200, "ksl_officer", "host_admin", "danderyd_clerk", "ekero_clerk"),
        None,
    ),
    "decisions:recommendation_edit": (
        {"slug": DRAFT},
        only(200, "ksl_officer", "host_admin"),
        only(400, "ksl_officer", "host_admin"),
    ),
    "decisions:recommendation_attachment_add": (
        {"slug": DRAFT},
        everyone(405),
        only(400, "ksl_officer", "host_admin"),
    ),
    # A draft's attachment: nobody else learns that it exists (404).
    "decisions:recommendation_attachment": (
        {"slug": DRAFT, "pk": DRAFT_ATTACHMENT},
        only(200, "ksl_officer", "host_admin", others=404),
        None,
    ),
    "decisions:recommendation_attachment_remove": (
        {"slug": DRAFT, "pk": DRAFT_ATTACHMENT},
        everyone(405),
        only(302, "ksl_officer", "host_admin"),
    ),
    # Sending needs the confirmation box: an empty POST is a 400 and sends nothing.
    "decisions:recommendation_send": ({"slug": DRAFT}, everyone(405), only(400, "ksl_officer", "host_admin")),
    "decisions:consultation_create": (
        {},
        only(200, "ksl_officer", "host_admin"),
        only(400, "ksl_officer", "host_admin"),
    ),
    # The municipalities' clerks answer for their own municipality; KSL may not answer for one (403).
    "decisions:consultation_answer": (
        {"slug": "origo-remiss-2011"},
        {**only(200, "danderyd_clerk", "ekero_clerk", others=404), "ksl_officer": 403, "host_admin": 403},
        {**only(400, "danderyd_clerk", "ekero_clerk", others=404), "ksl_officer": 403, "host_admin": 403},
    ),
    "decisions:consultation_assess": (
        {"slug": "origo-remiss-2011"},
        everyone(405),
        only(400, "ksl_officer", "host_admin"),
    ),
    # Issue 13, webhooks: the people of the parties register their own (an empty form: 400).
    "webhooks:list": ({}, people_of_parties(200), people_of_parties(400)),
    "webhooks:endpoint": (
        {"pk": WEBHOOK},
        {**WEBHOOK_OWNER_ONLY, "ekero_clerk": 200},
        {**WEBHOOK_OWNER_ONLY, "ekero_clerk": 400},
    ),
    **{
        f"webhooks:{name}": ({"pk": WEBHOOK}, everyone(405), {**WEBHOOK_OWNER_ONLY, "ekero_clerk": 302})
        for name in ("endpoint_deactivate", "endpoint_activate", "endpoint_secret")
    },
    # Deleting needs the confirmation box and retrying names a delivery: empty POSTs are 400s.
    "webhooks:endpoint_delete": ({"pk": WEBHOOK}, everyone(405), {**WEBHOOK_OWNER_ONLY, "ekero_clerk": 400}),
    "webhooks:delivery_retry": ({"pk": WEBHOOK}, everyone(405), {**WEBHOOK_OWNER_ONLY, "ekero_clerk": 400}),
    # The REST API (governance.api): the same objects and rules as the pages above.
    # Webhooks through the API: the webhook pages' rules (another user's endpoint is 404; an empty POST 400).
    "api:webhook-list": ({}, api_people(200), api_people(400)),
    "api:webhook-detail": ({"pk": WEBHOOK}, API_WEBHOOK_OWNER_ONLY, api_people(405)),
    "api:webhook-secret": ({"pk": WEBHOOK}, api_people(405), API_WEBHOOK_OWNER_ONLY),
    "api:webhook-deliveries": ({"pk": WEBHOOK}, API_WEBHOOK_OWNER_ONLY, api_people(405)),
    "api:webhook-delivery-retry": (
        {"pk": WEBHOOK, "delivery_pk": WEBHOOK_DELIVERY},
        api_people(405),
        API_WEBHOOK_OWNER_ONLY,
    ),
    "api:schema": ({}, everyone(200), everyone(405)),
    "api:not-found": ({}, everyone(404), everyone(404)),  # any other address below /api/v1/ (JSON)
    "api:docs": ({}, everyone(200), everyone(405)),
    "api:organisation-list": ({}, api_people(200), api_people(405)),
    "api:organisation-detail": ({"pk": EKERO}, api_people(200), api_people(405)),
    "api:body-list": ({}, api_people(200), api_people(405)),
    "api:body-detail": ({"pk": EKERO_BODY}, api_people(200), api_people(405)),
    "api:population-list": ({}, api_people(200), api_people(405)),
    "api:population-detail": ({"pk": EKERO_POPULATION}, api_people(200), api_people(405)),
    "api:agreement-list": ({}, api_people(200), api_people(405)),
    "api:agreement-detail": ({"slug": "origo"}, api_people(200), api_people(405)),
    "api:agreement-costs": ({"slug": "origo"}, api_people(200), api_people(405)),
    "api:recommendation-list": ({}, everyone(200), everyone(405)),  # published, as its page
    "api:recommendation-detail": (
        {"slug": "origo-2016"},
        api_only(200, "ksl_officer", "host_admin", "danderyd_clerk", "ekero_clerk"),
        api_everyone(405),
    ),
    "api:consultation-list": ({}, api_people(200), api_people(405)),
    "api:consultation-detail": ({"slug": "origo-remiss-2011"}, api_people(200), api_people(405)),
    "api:consultation-responses": ({"slug": "origo-remiss-2011"}, api_people(200), api_people(405)),
    # Cases: each sees the cases of their own municipality (the list may be empty); another's is 404.
    "api:case-list": ({}, api_everyone(200), api_everyone(405)),
    "api:case-detail": (
        {"pk": EKERO_CASE},
        api_only(200, "ksl_officer", "ekero_clerk", others=404),
        api_everyone(405),
    ),
    # An empty POST names no action: 400 for whom may read the case (the rules are checked for a named one).
    "api:case-transitions": (
        {"pk": EKERO_CASE},
        api_only(200, "ksl_officer", "ekero_clerk", others=404),
        api_only(400, "ksl_officer", "ekero_clerk", others=404),
    ),
    "api:document-detail": (
        {"pk": EKERO_DOC},
        api_only(200, "ksl_officer", "ekero_clerk", others=404),
        api_everyone(405),
    ),
    "api:document-docx": (
        {"pk": EKERO_DOC},
        api_only(200, "ksl_officer", "ekero_clerk", others=404),
        api_everyone(405),
    ),
    "api:document-pdf": (
        {"pk": EKERO_DOC},
        api_only(200, "ksl_officer", "ekero_clerk", others=404),
        api_everyone(405),
    ),
    # Bodies and meetings: their members and who sees every body; another body's meeting is 403 (as its page),
    # rows below a meeting (items, memberships) of another body are simply not there (404).
    "api:cooperation-body-list": ({}, api_everyone(200), api_everyone(405)),
    "api:cooperation-body-detail": (
        {"slug": "styrgrupp"},
        api_only(200, *MEMBERS_OF_STYRGRUPP),
        api_everyone(405),
    ),
    "api:membership-list": ({}, api_everyone(200), api_everyone(405)),
    "api:membership-detail": (
        {"pk": STYRGRUPP_MEMBERSHIP},
        api_only(200, *MEMBERS_OF_STYRGRUPP, others=404),
        api_everyone(405),
    ),
    "api:meeting-list": ({}, api_everyone(200), api_everyone(405)),
    "api:meeting-detail": ({"pk": MEETING}, api_only(200, *MEMBERS_OF_STYRGRUPP), api_everyone(405)),
    # A meeting's actions: its body's members read them; an empty POST names no action (400).
    "api:meeting-transitions": (
        {"pk": MEETING},
        api_only(200, *MEMBERS_OF_STYRGRUPP),
        api_only(400, *MEMBERS_OF_STYRGRUPP),
    ),
    "api:agenda-item-list": ({}, api_everyone(200), api_everyone(405)),
    "api:agenda-item-detail": (
        {"pk": ITEM},
        api_only(200, *MEMBERS_OF_STYRGRUPP, others=404),
        api_everyone(405),
    ),
    # Minutes: published ones are public; unpublished ones are the members' (404 to everyone else).
    "api:minutes-list": ({}, everyone(200), everyone(405)),
    "api:minutes-detail": (
        {"pk": MINUTES},
        {**everyone(404), **dict.fromkeys(MEMBERS_OF_STYRGRUPP, 200)},
        everyone(405),
    ),
    # The token page: anyone logged in, for their own tokens only (an empty name: 400, nothing stored).
    "api_tokens:list": ({}, {**everyone(200), "anonymous": 302}, {**everyone(400), "anonymous": 302}),
    "api_tokens:revoke": (
        {"pk": CHAIR_API_TOKEN},
        everyone(405),
        {**everyone(404), "anonymous": 302, "chair": 302},
    ),
}

# The Django admin: staff only. Anonymous users and every non-staff role are sent to the admin login.
ADMIN_PUBLIC = {
    "admin:login": everyone(200) | {"host_admin": 302},
    "admin:logout": everyone(302),  # GET: to the admin index (core.middleware), never a blank 405
}
STAFF_ROLES = {"host_admin"}


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            if entry.name:
                yield f"{namespace}{entry.name}", entry
            else:  # unnamed: only the admin has such patterns (its redirects); name them by namespace
                yield (f"{namespace}<unnamed>" if namespace else None), entry


def _admin_kwargs(pattern):
    names = set(pattern.pattern.regex.groupindex)
    kwargs = {}
    if "app_label" in names:
        kwargs["app_label"] = "parties"
    if "object_id" in names:
        kwargs["object_id"] = "1"
    if "content_type_id" in names:
        kwargs["content_type_id"] = 1
    if "id" in names:
        kwargs["id"] = 1
    return kwargs


def _draft_sample(kwargs):
    """KSL's draft recommendation with one attachment, made on first use (inside the test's transaction)."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.agreements.models import Agreement
    from governance.decisions import services
    from governance.decisions.models import Recommendation

    draft = Recommendation.objects.filter(slug=DRAFT).first()
    if draft is None:
        draft = services.recommendation_create(
            acting_user=None,
            slug=DRAFT,
            title="Utkast",
            board_decision_date=dt.date(2026, 1, 1),
            agreement=Agreement.objects.get(slug="origo-2016"),
            answer_deadline=dt.date(2030, 1, 1),
            decision_points="att ansluta sig",
            recipients=list(Organisation.objects.filter(municipality_code__in=["0162", "0125"])),
        )
        services.recommendation_attachment_add(
            acting_user=None,
            recommendation=draft,
            title="Avtalet",
            upload=SimpleUploadedFile("avtal.pdf", b"%PDF-1.4 utkast"),
        )
    attachment = draft.attachments.first()
    return {**kwargs, "pk": attachment.pk if attachment else 0} if "pk" in kwargs else kwargs


def _api_sample(kwargs):
    """The API's sample objects (``EKERO_BODY`` …), found in the loaded data or made on first use."""
    from governance.parties.models import Body, PopulationFigure

    value = kwargs["pk"]
    if value == EKERO_BODY:
        pk = Body.objects.filter(organisation__municipality_code="0125").order_by("pk").first().pk
    elif value == EKERO_POPULATION:
        pk = PopulationFigure.objects.filter(organisation__municipality_code="0125").order_by("pk").first().pk
    elif value == STYRGRUPP_MEMBERSHIP:
        from governance.meetings.models import Membership

        pk = Membership.objects.filter(body__slug="styrgrupp").order_by("pk").first().pk
    elif value == MINUTES:
        pk = _meeting_samples()[0].minutes_versions.get(version=1).pk
    else:
        from governance.api.models import ApiToken
        from governance.api.services import api_token_create
        from governance.parties.models import Person

        chair = Person.objects.get(user__username="ordforande").user
        token = ApiToken.objects.filter(user=chair, revoked_at__isnull=True).first()
        pk = (token or api_token_create(acting_user=chair, name="Matrisen")[0]).pk
    return {**kwargs, "pk": pk}


def _sample(kwargs):
    from governance.decisions.models import AdoptionCase

    if any(str(value).startswith("oparl-") for value in kwargs.values()):
        samples = _oparl_samples()
        return {key: samples.get(value, value) for key, value in kwargs.items()}
    if kwargs.get("pk") in (EKERO_BODY, EKERO_POPULATION, STYRGRUPP_MEMBERSHIP, MINUTES, CHAIR_API_TOKEN):
        return _api_sample(kwargs)

    if kwargs.get("slug") == DRAFT:
        return _draft_sample(kwargs)

    if kwargs.get("pk") == WEBHOOK:
        endpoint = _webhook_sample()
        if kwargs.get("delivery_pk") == WEBHOOK_DELIVERY:
            return {**kwargs, "pk": endpoint.pk, "delivery_pk": endpoint.deliveries.order_by("pk").first().pk}
        return {**kwargs, "pk": endpoint.pk}
    if kwargs.get("pk") == EKERO:
        return {**kwargs, "pk": Organisation.objects.get(municipality_code="0125").pk}
    if kwargs.get("organisation_id") == EKERO:
        return {**kwargs, "organisation_id": Organisation.objects.get(municipality_code="0125").pk}
    if kwargs.get("pk") == EKERO_CASE:
        case = AdoptionCase.objects.get(
            recommendation__slug="origo-2016", organisation__municipality_code="0125"
        )
        return {**kwargs, "pk": case.pk}
    if (
        MEETING in kwargs.values()
        or ITEM in kwargs.values()
        or REPORT in kwargs.values()
        or TOKEN in kwargs.values()
    ):
        meeting, item, report, token = _meeting_samples()
        replacements = {MEETING: meeting.pk, ITEM: item.pk, REPORT: report.pk, TOKEN: token}
        return {key: replacements.get(value, value) for key, value in kwargs.items()}
    if kwargs.get("pk") == EKERO_CLOSED:
        case = AdoptionCase.objects.get(
            recommendation__board_decision_date__year=2012, organisation__municipality_code="0125"
        )
        return {**kwargs, "pk": case.pk}
    if kwargs.get("year") == MINUTES_YEAR:
        from governance.meetings.registration import minutes_approved

        meeting = _meeting_samples()[0]
        minutes_approved(acting_user=None, meeting=meeting, version=meeting.minutes_versions.get(version=1))
        return {**kwargs, "year": meeting.date.year}
    if kwargs.get("pk") in (DIARY_ENTRY, DIARY_SECRET):
        return {**kwargs, "pk": _diary_sample(kwargs["pk"]).pk}
    if kwargs.get("pk") == EKERO_DOC or kwargs.get("key") == BATCH:
        document = _ekero_document()
        return {**kwargs, "pk": document.pk} if "pk" in kwargs else {**kwargs, "key": document.batch_key}
    return kwargs


def _diary_sample(which):
    from governance.diary.models import DiaryEntry

    ekero = Organisation.objects.get(municipality_code="0125")
    if which == DIARY_ENTRY:
        return DiaryEntry.objects.get(
            key__startswith="consultation_response:", key__endswith=":received", counterpart=ekero.name
        )
    entry = DiaryEntry.objects.get(
        key__startswith="signature:", case__series__organisation=ekero, case__year=2012
    )
    DiaryEntry.objects.filter(pk=entry.pk).update(secrecy="OSL 21 kap. 7 §", public_title="Handling i ärende")
    return entry


def _meeting_samples():
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from governance.meetings.models import (
        AgendaItem,
        CalendarToken,
        CooperationBody,
        FollowUpReport,
        Meeting,
        MinutesVersion,
    )
    from governance.parties.models import Person

    body = CooperationBody.objects.get(slug="styrgrupp")
    meeting = Meeting.objects.filter(body=body, place="Matrisrummet").first()
    if meeting is None:
        starts = timezone.now() + dt.timedelta(days=60)
        meeting = Meeting.objects.create(
            body=body, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), place="Matrisrummet"
        )
        item = AgendaItem(meeting=meeting, position=1, title="Budget", paper_name="budget.pdf")
        item.paper.save("budget.pdf", ContentFile(b"%PDF-1.4"), save=False)
        item.save()
        from governance.documents import rendering, samples
        from governance.documents.services import template_for

        snapshot = {
            **samples.sample_meeting_context("minutes"),
            "items": [{**samples.sample_meeting_context("minutes")["item"]}],
        }
        version = MinutesVersion(meeting=meeting, version=1, snapshot=snapshot, approved_at=timezone.now())
        version.file.save(
            "p.docx", ContentFile(rendering.render_docx(template_for("minutes")[0], snapshot)), save=False
        )
        version.pdf.save("p.pdf", ContentFile(b"%PDF-1.4"), save=False)
        version.save()
    item = meeting.items.get(title="Budget")
    report, _created = FollowUpReport.objects.get_or_create(year=2025, quarter=1)
    chair = Person.objects.get(user__username="ordforande").user
    token, _created = CalendarToken.objects.get_or_create(
        user=chair, defaults={"token": "matris-token-ordforande"}
    )
    return meeting, item, report, token.token


def _oparl_samples():
    """A published steering-group meeting with one item and its justerade minutes: the public part."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from governance.decisions.models import Recommendation
    from governance.meetings.models import AgendaItem, CooperationBody, Meeting, Membership, MinutesVersion

    body = CooperationBody.objects.get(slug="styrgrupp")
    meeting = Meeting.objects.filter(body=body, place="OParl-matrisen").first()
    if meeting is None:
        starts = timezone.now() - dt.timedelta(days=30)
        meeting = Meeting.objects.create(
            body=body,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="OParl-matrisen",
            state="published",
            notice_sent_at=starts - dt.timedelta(days=10),
        )
        AgendaItem.objects.create(
            meeting=meeting, position=1, title="Budget", paragraph=1, outcome="Beslutades."
        )
        version = MinutesVersion(meeting=meeting, version=1, approved_at=timezone.now())
        version.file.save("p.docx", ContentFile(b"PK docx"), save=False)
        version.save()
    membership = Membership.objects.filter(body=body).first()
    return {
        "oparl-organization": body.pk,
        "oparl-meeting": meeting.pk,
        "oparl-agendaitem": meeting.items.get().pk,
        "oparl-file": meeting.minutes_versions.get().pk,
        "oparl-membership": membership.pk,
        "oparl-person": membership.person_id,
        "oparl-party": membership.organisation_id,
        "oparl-paper": Recommendation.objects.get(slug="origo-2016").pk,
    }


def _ekero_document():
    import uuid

    from django.core.files.base import ContentFile

    from governance.decisions.models import AdoptionCase
    from governance.documents.models import GeneratedDocument

    case = AdoptionCase.objects.get(recommendation__slug="origo-2016", organisation__municipality_code="0125")
    document = GeneratedDocument.objects.filter(batch_key=BATCH_KEY).first()
    if document is None:
        document = GeneratedDocument(
            kind="memo",
            subject_key=f"case:{case.pk}",
            subject=case,
            version=99,
            request_key=uuid.uuid4(),
            batch_key=uuid.UUID(BATCH_KEY),
            status="done",
            created_by_name="System",
        )
        document.file.save("m.docx", ContentFile(b"PK docx"), save=False)
        document.pdf.save("m.pdf", ContentFile(b"%PDF-1.4"), save=False)
        document.save()
    return document


def _webhook_sample():
    from governance.webhooks.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.filter(name="Matrisens webhook").first()
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(
            owner=Person.objects.get(user__username="ekero").user,
            name="Matrisens webhook",
            url="https://diarie.ekero.example/hooks",
            events=["case.state_changed"],
            secret="matris-hemlighet",
        )
        WebhookDelivery.objects.create(
            endpoint=endpoint, event="case.state_changed", state="failed", attempts=8
        )
    return endpoint


def test_every_url_pattern_is_declared(db):
    undeclared = []
    for name, _pattern in _patterns():
        if name is None:
            undeclared.append(str(_pattern.pattern))
        elif not (name in MATRIX or name.startswith("admin:")):
            undeclared.append(name)
    assert undeclared == [], f"URL patterns missing from the permission matrix: {undeclared}"


def _client_for(client, role, request):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_matrix(db, client, role, request):
    client = _client_for(client, role, request)
    failures = []
    for name, (kwargs, get_expected, post_expected) in MATRIX.items():
        url = reverse(name, kwargs=_sample(kwargs))
        response = client.get(url)
        got = response.status_code
        if get_expected[role] == 405 and got == 302:
            # A POST-only address opened directly sends the user to the page it belongs to (core.middleware).
            parent = url.rstrip("/").rsplit("/", 1)[0] + "/"
            if response["Location"] != parent:
                failures.append(f"GET {name} {url}: to {response['Location']}, expected its page {parent}")
        elif got != get_expected[role]:
            failures.append(f"GET {name} {url}: {got}, expected {get_expected[role]}")
        expected_post = post_expected[role] if post_expected else 405
        got = client.post(url, {}).status_code
        if got != expected_post:
            failures.append(f"POST {name} {url}: {got}, expected {expected_post}")
        if name == "logout" and role != "anonymous":
            client.force_login(request.getfixturevalue(role))
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_staff_only(db, client, role, request):
    client = _client_for(client, role, request)
    failures = []
    for name, pattern in _patterns():
        if not name or not name.startswith("admin:") or name.endswith("<unnamed>"):
            continue
        url = reverse(name, kwargs=_admin_kwargs(pattern))
        got = client.get(url).status_code
        if name in ADMIN_PUBLIC:
            if got != ADMIN_PUBLIC[name][role]:
                failures.append(f"GET {name}: {got}, expected {ADMIN_PUBLIC[name][role]}")
        elif role not in STAFF_ROLES:
            if got != 302 or "/admin/login/" not in client.get(url)["Location"]:
                failures.append(f"GET {name} {url}: {got}, expected 302 to the admin login")
        elif got >= 500:
            failures.append(f"GET {name} {url}: {got}")
    assert failures == []


def test_host_admin_sees_the_admin_index_and_every_registered_changelist(client, host_admin):
    from django.contrib import admin

    client.force_login(host_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_danderyd_clerk_cannot_touch_ekeros_contact_bank(client, danderyd_clerk):
    from governance.parties.models import ContactAssignment

    ekero = Organisation.objects.get(municipality_code="0125")
    client.force_login(danderyd_clerk)
    before = ContactAssignment.objects.count()
    response = client.post(
        reverse("parties:contact_add", kwargs={"pk": ekero.pk}),
        {
            "first_name": "X",
            "last_name": "Y",
            "role": "contact_person",
            "email": "x@y.se",
            "valid_from": "2025-01-01",
        },
    )
    assert response.status_code == 403
    assert ContactAssignment.objects.count() == before


def test_unknown_objects_are_404_never_500(client, ksl_officer, host_admin):
    client.force_login(ksl_officer)
    assert client.get(reverse("parties:detail", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("agreements:costs", kwargs={"slug": "finns-inte"})).status_code == 404
    client.force_login(host_admin)
    assert client.get(reverse("parties:contact_add", kwargs={"pk": 999999})).status_code == 404
