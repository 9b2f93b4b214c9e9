"""The cooperation's governing bodies (steering group, reference forum), their members and meetings."""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from governance.agreements.models import Agreement
from governance.core.models import Validity
from governance.parties.models import Organisation, Person

from .choices import AttendanceStatus, BodyKind, FigureCategory, ItemKind, MeetingState, MembershipRole, Rsvp


class CooperationBody(models.Model):
    """A body that governs the centre: the steering group (styrgrupp) or the reference forum (referensforum).

    The convener (Stockholms stad for Origo) chairs and convenes. ``meetings_per_year`` drives the annual
    plan; ``notice_working_days`` is how many working days before a meeting the notice must go out.
    """

    slug = models.SlugField(_("kortnamn"), max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=BodyKind.choices)
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("avtal"),
    )
    convener = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_bodies",
        verbose_name=_("sammankallande"),
    )
    meetings_per_year = models.PositiveSmallIntegerField(
        _("möten per år"), default=4, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    notice_working_days = models.PositiveSmallIntegerField(
        _("kallelse senast (arbetsdagar före)"), default=5, validators=[MaxValueValidator(30)]
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("samverkansorgan")
        verbose_name_plural = _("samverkansorgan")
        permissions = [
            ("manage_body", _("Hantera organets möten, dagordningar och protokoll")),
            ("view_body", _("Läsa organets möten och handlingar")),
            ("view_all_bodies", _("Se alla samverkansorgan")),
        ]

    def __str__(self) -> str:
        return self.name


class CooperationBodyUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key object permission of a user on a cooperation body."""

    content_object = models.ForeignKey(CooperationBody, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("behörighet för användare på samverkansorgan")


class CooperationBodyGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-foreign-key object permission of a group on a cooperation body."""

    content_object = models.ForeignKey(CooperationBody, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("behörighet för grupp på samverkansorgan")


class Membership(Validity):
    """A person's seat in a body for a term (``valid_from``–``valid_to``), representing an organisation.

    Chair, vice chair and secretary manage the body's meetings; every member reads its papers. Grants follow
    memberships through ``meetings.services``; ended memberships are kept to show who sat when.
    """

    body = models.ForeignKey(
        CooperationBody, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organ")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seats", verbose_name=_("företräder")
    )
    role = models.CharField(_("roll"), max_length=20, choices=MembershipRole.choices)
    appointed_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("utsedd av")
    )

    class Meta(Validity.Meta):
        ordering = ["body", "role", "organisation__municipality_code", "organisation__name"]
        verbose_name = _("ledamotskap")
        verbose_name_plural = _("ledamotskap")

    def __str__(self) -> str:
        return f"{self.person}, {self.get_role_display().lower()} i {self.body} ({self.organisation.display_name})"


class SeatRule(models.Model):
    """A composition rule of a body, as data: how many voting seats (chair, vice chair, member) organisations
    of a kind — or one named organisation — may hold, and who appoints them. A named organisation's rule
    takes precedence over its kind's rule; ``exclude_convener`` keeps the convener out of a kind's rule."""

    body = models.ForeignKey(
        CooperationBody, on_delete=models.CASCADE, related_name="seat_rules", verbose_name=_("organ")
    )
    label = models.CharField(_("beskrivning"), max_length=200)
    organisation_kind = models.CharField(_("typ av organisation"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    exclude_convener = models.BooleanField(_("utom sammankallande"), default=False)
    max_seats = models.PositiveSmallIntegerField(_("högst antal platser"))
    max_per_organisation = models.PositiveSmallIntegerField(
        _("högst per organisation"), null=True, blank=True
    )
    appointed_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utses av"),
    )

    class Meta:
        ordering = ["body", "id"]
        verbose_name = _("sammansättningsregel")
        verbose_name_plural = _("sammansättningsregler")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(organisation_kind=""))
                | (Q(organisation__isnull=True) & ~Q(organisation_kind="")),
                name="seat_rule_names_kind_or_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.label} (högst {self.max_seats})"

    def applies_to(self, organisation: Organisation) -> bool:
        if self.organisation_id is not None:
            return self.organisation_id == organisation.pk
        if self.exclude_convener and organisation.pk == self.body.convener_id:
            return False
        return organisation.kind == self.organisation_kind


class Meeting(ConcurrentTransitionMixin, models.Model):
    """A meeting of a body.

    States: planned → notice_sent → held → minutes_drafted → minutes_approved (justerat) → published;
    planned or notice_sent → cancelled or postponed (a postponed meeting may be planned again).
    ``approval_place``/``approval_date``: where and when the minutes are to be justerade (set when they are
    drawn up), printed in the minutes as "Justeringens plats och tid".
    """

    body = models.ForeignKey(
        CooperationBody, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organ")
    )
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"))
    place = models.CharField(_("plats"), max_length=200, blank=True)
    video_link = models.URLField(_("länk till videomöte"), blank=True)
    state = FSMField(_("läge"), default=MeetingState.PLANNED, choices=MeetingState.choices, protected=True)
    notice_sent_at = models.DateTimeField(_("kallelse skickad"), null=True, blank=True)
    quorum_recorded_at = models.DateTimeField(_("beslutförhet fastställd"), null=True, blank=True)
    quorum_present = models.PositiveSmallIntegerField(_("närvarande röstberättigade"), null=True, blank=True)
    quorum_required = models.PositiveSmallIntegerField(_("krävs för beslutförhet"), null=True, blank=True)
    minutes_checkers = models.ManyToManyField(
        "Membership", blank=True, related_name="checked_meetings", verbose_name=_("justerare")
    )
    minutes_version = models.PositiveSmallIntegerField(_("protokollversion"), default=0)
    approval_place = models.CharField(_("justeringens plats"), max_length=200, blank=True)
    approval_date = models.DateField(_("justeringens dag"), null=True, blank=True)
    ical_sequence = models.PositiveIntegerField(_("kalenderversion"), default=0)
    is_extra = models.BooleanField(
        _("extra möte"), default=False, help_text=_("Planerat med kortare varsel än organets kallelsetid.")
    )
    short_notice_reason = models.CharField(_("skäl till kort varsel"), max_length=300, blank=True)
    postponed_from = models.DateTimeField(_("flyttat från"), null=True, blank=True)
    is_demo_data = models.BooleanField(
        _("demodata"), default=False, help_text=_("Påhittade uppgifter för demonstration.")
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.body.name} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    #: The memberships active on the meeting's day (``services.notice_recipients``) when the meeting page has
    #: read them (``queries.meeting_page_read``): the permission checks and the justering helpers then ask
    #: this list instead of the database. Not a field; ``None`` on every instance read elsewhere.
    members_read: list | None = None

    def has_read(self, name: str) -> bool:
        """Whether the related rows ``name`` were read with this instance (``queries.meeting_page_read``)."""
        return name in getattr(self, "_prefetched_objects_cache", {})

    def current_minutes(self):
        """The newest version of the minutes (``MinutesVersion``), or ``None`` before they are drawn up."""
        if self.has_read("minutes_versions"):
            return max(self.minutes_versions.all(), key=lambda version: version.version, default=None)
        return self.minutes_versions.order_by("-version").first()

    def checkers(self) -> list:
        """The chosen justerare (``Membership``) with their people."""
        if self.has_read("minutes_checkers"):
            return list(self.minutes_checkers.all())
        return list(self.minutes_checkers.select_related("person"))

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()

    @property
    def is_short_notice(self) -> bool:
        """Planned (or moved) with less notice than the body's ``notice_working_days``, confirmed with a reason."""
        return bool(self.short_notice_reason)

    @transition(field=state, source=MeetingState.PLANNED, target=MeetingState.NOTICE_SENT)
    def send_notice(self):
        """Kallelsen är skickad."""

    @transition(
        field=state, source=[MeetingState.PLANNED, MeetingState.NOTICE_SENT], target=MeetingState.HELD
    )
    def hold(self):
        """Mötet är genomfört."""

    @transition(field=state, source=MeetingState.HELD, target=MeetingState.MINUTES_DRAFTED)
    def draft_minutes(self):
        """Protokollet är upprättat; paragraferna har fått nummer."""

    @transition(field=state, source=MeetingState.MINUTES_DRAFTED, target=MeetingState.MINUTES_APPROVED)
    def approve_minutes(self):
        """Ordföranden och justerarna har justerat protokollet."""

    @transition(field=state, source=MeetingState.MINUTES_APPROVED, target=MeetingState.PUBLISHED)
    def publish(self):
        """Det justerade protokollet är publicerat."""

    @transition(
        field=state,
        source=[MeetingState.MINUTES_APPROVED, MeetingState.PUBLISHED],
        target=MeetingState.MINUTES_DRAFTED,
    )
    def correct_minutes(self):
        """En rättelse: en ny version av protokollet ska justeras."""

    @transition(
        field=state, source=[MeetingState.PLANNED, MeetingState.NOTICE_SENT], target=MeetingState.CANCELLED
    )
    def cancel(self):
        """Mötet är inställt."""

    @transition(
        field=state, source=[MeetingState.PLANNED, MeetingState.NOTICE_SENT], target=MeetingState.POSTPONED
    )
    def postpone(self):
        """Mötet är uppskjutet."""

    @transition(field=state, source=MeetingState.POSTPONED, target=MeetingState.PLANNED)
    def replan(self):
        """Ett uppskjutet möte har fått en ny tid."""


def paper_path(instance, filename: str) -> str:
    return f"meetings/{instance.meeting_id}/papers/{filename}"


class AgendaItem(models.Model):
    """An item of the agenda (föredragningslista), with its decision or note and its § in the minutes.

    ``kind`` says whether the item is a decision (beslutsärende) or information/discussion; a decision item
    needs a decision text before the minutes can be justerade. ``dispatch`` lists who the protokollsutdrag
    is sent to (expedieras till), one recipient per line."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("möte")
    )
    position = models.PositiveSmallIntegerField(_("ordning"))
    title = models.CharField(_("rubrik"), max_length=300)
    kind = models.CharField(_("typ"), max_length=20, choices=ItemKind.choices, default=ItemKind.INFORMATION)
    standard_key = models.CharField(_("standardärende"), max_length=30, blank=True)
    presenter = models.CharField(_("föredragande"), max_length=200, blank=True)
    minutes_allotted = models.PositiveSmallIntegerField(_("minuter"), null=True, blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    # What the item's paper was made from (``core.papers``: e.g. a recommendation's adoption summary), linked
    # generically so that meetings depends on no other app; carried over with the item.
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("underlag från"),
    )
    source_id = models.PositiveBigIntegerField(_("underlagets id"), null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    follow_up_report = models.ForeignKey(
        "FollowUpReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uppföljningsrapport"),
    )
    paper = models.FileField(_("handling"), upload_to=paper_path, blank=True)
    paper_name = models.CharField(_("handlingens namn"), max_length=200, blank=True)
    outcome = models.TextField(_("beslut eller anteckning"), blank=True)
    dispatch = models.TextField(
        _("expedieras till"),
        blank=True,
        help_text=_("En mottagare per rad. Tomt: organisationerna som ledamöterna företräder."),
    )
    is_open = models.BooleanField(_("öppen fråga"), default=False, help_text=_("Följer med till nästa möte."))
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("från ärende"),
    )
    paragraph = models.PositiveSmallIntegerField(_("§"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("ärende på dagordningen")
        verbose_name_plural = _("dagordning")
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="unique_item_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    """A member's answer to the notice and presence at the meeting; a deputy may stand in for a member."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("möte")
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("ledamot")
    )
    rsvp = models.CharField(_("svar på kallelsen"), max_length=20, choices=Rsvp.choices, blank=True)
    rsvp_at = models.DateTimeField(_("svarade"), null=True, blank=True)
    status = models.CharField(_("närvaro"), max_length=20, choices=AttendanceStatus.choices, blank=True)
    stands_in_for = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ersätter"),
    )

    class Meta:
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="one_attendance_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membership.person}: {self.get_status_display() or self.get_rsvp_display()}"


class ConflictOfInterest(models.Model):
    """Jäv: a member takes no part in one item."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("ärende")
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("ledamot")
    )
    note = models.CharField(_("anteckning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("jäv")
        verbose_name_plural = _("jäv")
        constraints = [
            models.UniqueConstraint(fields=["item", "membership"], name="one_conflict_per_member_item")
        ]

    def __str__(self) -> str:
        return f"{self.membership.person} jävig i {self.item}"


def minutes_path(instance, filename: str) -> str:
    return f"meetings/{instance.meeting_id}/minutes/v{instance.version}-{filename}"


class MinutesVersion(models.Model):
    """One version of a meeting's minutes. Approved versions are frozen: the text snapshot and the .docx
    never change; a correction makes a new version with a reason."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="minutes_versions", verbose_name=_("möte")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("skäl till rättelse"), max_length=300, blank=True)
    snapshot = models.JSONField(_("innehåll"), default=dict)
    file = models.FileField(_("fil (.docx)"), upload_to=minutes_path, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=minutes_path, blank=True)
    created_at = models.DateTimeField(_("upprättad"), default=timezone.now)
    approved_at = models.DateTimeField(_("justerad"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "version"]
        verbose_name = _("protokollversion")
        verbose_name_plural = _("protokollversioner")
        constraints = [models.UniqueConstraint(fields=["meeting", "version"], name="unique_minutes_version")]

    def __str__(self) -> str:
        return f"{self.meeting} protokoll v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.approved_at is not None


class MinutesApproval(models.Model):
    """The chair's or a minutes checker's approval (justering) of one version, time-stamped.

    A member without a login approves on paper; the chair or the secretary then records it for them
    (``recorded_by``, with a note). Otherwise ``recorded_by`` is empty: the member approved themselves."""

    minutes = models.ForeignKey(
        MinutesVersion, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("protokollversion")
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("ledamot")
    )
    role = models.CharField(_("som"), max_length=20)
    approved_at = models.DateTimeField(_("justerat"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    recorded_by_name = models.CharField(_("registrerad av (namn)"), max_length=200, blank=True)
    note = models.CharField(_("anteckning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("justering")
        verbose_name_plural = _("justeringar")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "membership"], name="one_approval_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.membership.person} justerade {self.minutes} {self.approved_at:%Y-%m-%d %H:%M}"


class FollowUpReport(models.Model):
    """The centre's quarterly follow-up (uppföljning): aggregated figures only, never individual data."""

    year = models.PositiveSmallIntegerField(_("år"))
    quarter = models.PositiveSmallIntegerField(
        _("kvartal"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    published_at = models.DateTimeField(_("publicerad"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("uppföljningsrapport")
        verbose_name_plural = _("uppföljningsrapporter")
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="one_report_per_quarter")]

    def __str__(self) -> str:
        return f"Uppföljning {self.year} kvartal {self.quarter}"


class FollowUpFigure(models.Model):
    """One aggregate in a report, e.g. contacts by gender: Flickor/unga kvinnor 23. Shown as "<5" below 5."""

    report = models.ForeignKey(
        FollowUpReport, on_delete=models.CASCADE, related_name="figures", verbose_name=_("rapport")
    )
    category = models.CharField(_("kategori"), max_length=20, choices=FigureCategory.choices)
    label = models.CharField(_("grupp"), max_length=120)
    value = models.PositiveIntegerField(_("antal"))

    class Meta:
        ordering = ["report", "category", "id"]
        verbose_name = _("uppföljningstal")
        verbose_name_plural = _("uppföljningstal")
        constraints = [
            models.UniqueConstraint(fields=["report", "category", "label"], name="one_figure_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.label}"


class CalendarToken(models.Model):
    """A secret for a user's calendar feeds (calendar programs cannot log in); can be replaced at any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("användare"),
    )
    token = models.CharField(_("nyckel"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("kalendernyckel")
        verbose_name_plural = _("kalendernycklar")

    def __str__(self) -> str:
        return f"{self.user}"
