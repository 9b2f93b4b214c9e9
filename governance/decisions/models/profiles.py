"""An organisation's document profile: how its decision memos look (title, headings, signatories, …)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.parties.models import Organisation

from ..choices import MemoSection, MemoTitle, PointStyle

# The plain form every organisation starts from (Ekerö's, seed 000, with a cost section and viewpoints).
DEFAULT_SECTIONS = [
    [MemoSection.PROPOSALS, "Förslag till beslut"],
    [MemoSection.SUMMARY, "Sammanfattning"],
    [MemoSection.BASIS, "Beslutsunderlag"],
    [MemoSection.BACKGROUND, "Ärendet"],
    [MemoSection.COST, "Kostnad"],
    [MemoSection.VIEWPOINTS, "Förvaltningens synpunkter"],
    [MemoSection.DISPATCH, "Beslutet expedieras till"],
    [MemoSection.SIGNATURES, ""],
]
DEFAULT_BASIS = (
    "{tjänsteutlåtande}\n{rekommendation}\n{avtal}\n{rekommendationens bilagor}\n{tidigare beslut}"
)
DEFAULT_DISPATCH = "Kommunförbundet Stockholms Län\n{beredande organ}\n{kostnadsdelande organ}"

MAX_SECTION_HEADING = 120
MAX_LINES_TEXT = 2000
MAX_SIGNATORIES = 3


class DocumentProfile(models.Model):
    """How one organisation writes its decision memos; its clerks edit it, every memo starts from it.

    ``sections`` is the ordered list of ``[section key, heading]`` (keys from ``MemoSection``; a blank heading
    prints the part without a heading; a part left out is not printed). Headings may say
    ``{förvaltningens}`` (→ "Kommunledningskontorets"). The line lists (beslutsunderlag, bilagor,
    expediering, extra att-satser) may use the placeholders listed in ``decisions.papers.TOKENS``, which
    take the case's own data. An organisation without a stored profile uses the defaults of the fields.
    """

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="document_profile",
        verbose_name=_("organisation"),
    )
    memo_title = models.CharField(
        _("dokumentets namn"), max_length=30, choices=MemoTitle.choices, default=MemoTitle.TJANSTEUTLATANDE
    )
    department = models.CharField(
        _("förvaltning"),
        max_length=200,
        blank=True,
        help_text=_("Används när organet saknar beredande förvaltning."),
    )
    sections = models.JSONField(_("rubriker och ordning"), default=list, blank=True)
    point_style = models.CharField(
        _("numrering av att-satser"), max_length=2, choices=PointStyle.choices, default=PointStyle.PAREN
    )
    decision_subheading = models.BooleanField(
        _("underrubrik med organets beslut"),
        default=False,
        help_text=_("T.ex. ”Kommunstyrelsens beslut” ovanför beslutsmeningarna (Danderyd)."),
    )
    extra_points = models.TextField(
        _("egna att-satser"),
        blank=True,
        max_length=MAX_LINES_TEXT,
        help_text=_("Att-satser kommunen lägger till KSL:s, en per rad, t.ex. om budget och undertecknande."),
    )
    own_points = models.TextField(
        _("att-satser för egen del"),
        blank=True,
        max_length=MAX_LINES_TEXT,
        help_text=_("När organet föreslår fullmäktige: det organet beslutar ”för egen del”, en per rad."),
    )
    presenter = models.CharField(
        _("föredragande"),
        max_length=300,
        blank=True,
        help_text=_("T.ex. ”Föredragande borgarrådet Anna Andersson anför följande.”"),
    )
    basis_lines = models.TextField(
        _("beslutsunderlag"), blank=True, max_length=MAX_LINES_TEXT, default=DEFAULT_BASIS
    )
    attachment_lines = models.TextField(_("bilagor"), blank=True, max_length=MAX_LINES_TEXT)
    dispatch_lines = models.TextField(
        _("expedieras till"), blank=True, max_length=MAX_LINES_TEXT, default=DEFAULT_DISPATCH
    )
    signatories = models.TextField(
        _("underskrifter"),
        blank=True,
        max_length=600,
        help_text=_("”Namn, Titel”, en per rad, högst tre. Tomt: handläggaren skriver under."),
    )
    signature_place = models.CharField(
        _("ort före underskrift"),
        max_length=100,
        blank=True,
        help_text=_("T.ex. ”Stockholm” → ”Stockholm den …”."),
    )
    signature_intro = models.CharField(
        _("rad före underskrift"),
        max_length=200,
        blank=True,
        help_text=_("T.ex. ”På kommunstyrelsens vägnar:”."),
    )
    amounts_in_words = models.BooleanField(_("belopp även i ord"), default=False)
    updated_at = models.DateTimeField(_("ändrad"), null=True, blank=True)
    updated_by_name = models.CharField(_("ändrad av"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("dokumentprofil")
        verbose_name_plural = _("dokumentprofiler")

    def __str__(self) -> str:
        return f"{self.memo_title}, {self.organisation.display_name}"

    @property
    def section_list(self) -> list[tuple[str, str]]:
        return [(key, heading) for key, heading in (self.sections or DEFAULT_SECTIONS)]
