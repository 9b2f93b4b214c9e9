"""Who sees the diarium, reads a secret entry, and marks secrecy."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from governance.parties import permissions as party_permissions
from governance.parties.choices import OrganisationKind

from .registry import many_reader_for, reader_for


def can_view_register(user) -> bool:
    """The register (numbers, dates, directions, parties, neutral titles) is for the people of the parties."""
    return party_permissions.can_view_registry(user)


def check_view_register(user) -> None:
    if not can_view_register(user):
        raise PermissionDenied(_("Diariet är till för personer hos samverkansparterna."))


class EntryReader:
    """Decides ``can_read_entry`` for many entries of one user (the register page, the export) with a bounded
    number of queries: the user's own organisations once, each underlying object's rule once.

    A secret entry is readable by the system, superusers, clerks of the series' organisation and whoever the
    owning app lets read the matter (the case's subject) or, failing a rule for it, the document itself."""

    def __init__(self, user, objects: dict | None = None):
        self.user = user
        self.objects = objects or {}
        self._workable: set[int] | None = None
        self._decided: dict[tuple[int, int], bool] = {}
        self._sees = None

    def _sees_register(self) -> bool:
        if self._sees is None:
            self._sees = can_view_register(self.user)
        return self._sees

    def _works_on(self, organisation_id: int) -> bool:
        if self._workable is None:
            self._workable = party_permissions.workable_organisation_ids(self.user)
        return organisation_id in self._workable

    def _deciding(self, entry) -> tuple | None:
        """The (content type, id) whose rule decides a secret entry or a file: the matter's, else the
        document's; ``None`` when no app has a rule for either."""
        for content_type, object_id in (
            (entry.case.subject_type, entry.case.subject_id),
            (entry.document_type, entry.document_id),
        ):
            if content_type is not None and object_id is not None and reader_for(self._label(content_type)):
                return content_type, object_id
        return None

    @staticmethod
    def _label(content_type) -> str:
        return f"{content_type.app_label}.{content_type.model}"

    def prepare(self, entries) -> None:
        """Decide the rules ``entries`` will ask for, one query per owning model: the model's
        ``readable_ids`` where the app gave one, else its objects loaded in bulk for ``may_read``."""
        if self.user is None or not self._sees_register():
            return
        wanted: dict = {}
        for entry in entries:
            if not (entry.is_secret or entry.file_name):
                continue
            if is_registrar_of(self.user, entry.case.series.organisation, works_on=self._works_on):
                continue
            deciding = self._deciding(entry)
            if deciding is not None:
                content_type, object_id = deciding
                wanted.setdefault(content_type, set()).add(object_id)
        for content_type, ids in wanted.items():
            ids = {i for i in ids if (content_type.pk, i) not in self._decided}
            if not ids:
                continue
            readable_ids = many_reader_for(self._label(content_type))
            if readable_ids is not None:
                readable = set(readable_ids(self.user, ids))
                for object_id in ids:
                    self._decided[(content_type.pk, object_id)] = object_id in readable
                continue
            missing = {i for i in ids if (content_type.pk, i) not in self.objects}
            if missing:
                loaded = content_type.model_class()._default_manager.in_bulk(missing)
                for object_id in missing:  # None: gone, not readable
                    self.objects[(content_type.pk, object_id)] = loaded.get(object_id)

    def _object_rule(self, content_type, object_id) -> bool | None:
        may_read = reader_for(self._label(content_type))
        if may_read is None:
            return None
        key = (content_type.pk, object_id)
        if key not in self._decided:
            if key in self.objects:
                obj = self.objects[key]
            else:
                obj = content_type.model_class()._default_manager.filter(pk=object_id).first()
                self.objects[key] = obj
            self._decided[key] = obj is not None and bool(may_read(self.user, obj))
        return self._decided[key]

    def __call__(self, entry, *, file: bool = False) -> bool:
        """The real title (``file=False``) or the registered file (``file=True``). An open entry's title is
        for everyone who sees the register (the diarium is public); its file only for whom the owning app's
        page would show the document (a members' paper, another municipality's signed copy)."""
        if self.user is None:
            return True
        if not self._sees_register():
            return False
        if not entry.is_secret and not file:
            return True
        if is_registrar_of(self.user, entry.case.series.organisation, works_on=self._works_on):
            return True
        for content_type, object_id in (
            (entry.case.subject_type, entry.case.subject_id),
            (entry.document_type, entry.document_id),
        ):
            if content_type is not None and object_id is not None:
                decided = self._object_rule(content_type, object_id)
                if decided is not None:
                    return decided
        return not entry.is_secret  # no app has a rule for it: no page restricts an open entry's file


def can_read_entry(user, entry) -> bool:
    """The real title: anyone who sees the register for an open entry; a secret one only as ``EntryReader``
    says."""
    return EntryReader(user)(entry)


def can_download_entry(user, entry) -> bool:
    """The registered file: the owning app's rule for the matter or document, open or secret."""
    return EntryReader(user)(entry, file=True)


def is_registrar_of(user, organisation, *, works_on=None) -> bool:
    """Who keeps an organisation's series: its clerks; for KSL's series KSL's officers; the host's
    administrators (the diary's model permission) and superusers for every series."""
    if user is None:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm("diary.change_diaryentry"):
        return True
    if organisation.kind == OrganisationKind.ASSOCIATION and party_permissions.can_oversee_all(user):
        return True
    return works_on(organisation.pk) if works_on else party_permissions.can_work_on(user, organisation)


def can_mark_secrecy(user, entry) -> bool:
    return is_registrar_of(user, entry.case.series.organisation)


def check_mark_secrecy(user, entry) -> None:
    if not can_mark_secrecy(user, entry):
        raise PermissionDenied(
            _("Endast registratorer hos %(org)s får ändra sekretessmarkeringen.")
            % {"org": entry.case.series.name}
        )
