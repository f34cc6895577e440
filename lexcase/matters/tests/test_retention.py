"""Personal data after archiving (issue 14 item 8): retention per matter type, anonymisation
of parties on no matter within retention, legal holds, consent — with a frozen clock."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from lexcase.accounts.models import Role, User
from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.core.exceptions import NotAllowed
from lexcase.matters.models import (
    ArchiveRecord,
    LegalHold,
    Matter,
    MatterParty,
    PartyAnonymisation,
    PersonalDataRetention,
    RetentionClass,
    Status,
)
from lexcase.matters.retention import (
    consent_live,
    consent_record,
    consent_withdraw,
    legal_hold_release,
    legal_hold_set,
    personal_data_anonymise_run,
)
from lexcase.matters.retention_views import LegalHoldForm
from lexcase.papers.models import CourtMessage
from lexcase.parties.models import Party, PartyAlias
from lexcase.portal.models import ClientContact, ClientContactMatter, PortalInvitation
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ARCHIVED_ON = date(2020, 1, 10)
END = date(2025, 1, 10)  # five years (the test's policy for civil matters)


def _archive(matter, *, retention: str = "long", on: date = ARCHIVED_ON) -> None:
    type(matter).objects.filter(pk=matter.pk).update(status=Status.ARCHIVED)
    ArchiveRecord.objects.create(
        matter=matter,
        number=f"{on.year}-{matter.pk}-{retention}",
        year=on.year,
        type_code="民",
        retention=RetentionClass.objects.get(code=retention),
        room="A",
        shelf="1",
        box="1",
        archived_on=on,
    )


@pytest.fixture
def archived(firm):
    PersonalDataRetention.objects.update_or_create(matter_type="civil", defaults={"years": 5})
    person = firm.opposing_party  # 王伟, only on firm.matter
    Party.objects.filter(pk=person.pk).update(phone="13800000000", address="北京市朝阳区")
    PartyAlias.objects.create(party=person, name="王小伟", name_normalized="王小伟")
    # The client also instructs the firm on a live matter, so only 王伟 is due; the
    # organisation's own turn is test_an_organisations_people_go_and_its_registry_data_stays.
    MatterParty.objects.create(matter=firm.confidential, party=firm.client_party, role="client")
    _archive(firm.matter)
    return firm


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI)


def test_anonymised_on_the_day_retention_ends_and_only_once(archived):
    f = archived
    person = f.opposing_party
    with time_machine.travel(_at(date(2025, 1, 9)), tick=False):
        assert personal_data_anonymise_run().parties == []
    with time_machine.travel(_at(END), tick=False):
        report = personal_data_anonymise_run()
        assert report.parties == [person.pk]
        assert personal_data_anonymise_run().parties == []  # idempotent
    person.refresh_from_db()
    assert (person.name, person.phone, person.address, person.id_number) == (
        f"（已匿名化 {person.pk}）",
        "",
        "",
        "",
    )
    assert list(PartyAlias.objects.filter(party=person)) == []
    assert person.history.count() == 1  # earlier values are gone from the edit history
    # The client, still on a live matter, is untouched.
    f.client_party.refresh_from_db()
    assert f.client_party.name == "北京华泰科技有限公司"
    event = AuditEvent.objects.get(action="party.anonymise")
    assert (event.object_id, event.data["matters"]) == (str(person.pk), [f.matter.pk])
    assert "王伟" not in str(event.data)
    assert PartyAnonymisation.objects.get().matter_ids == [f.matter.pk]


def test_an_organisations_people_go_and_its_registry_data_stays(archived):
    """An organisation past retention keeps its name, credit code, registered address and
    former names (registry data); its phone, e-mail and notes (its people's channel and free
    text) go, from the edit history too, and its portal contacts' accounts are anonymised and
    closed."""
    f = archived
    MatterParty.objects.filter(matter=f.confidential, party=f.client_party).delete()
    client = f.client_party
    client.phone, client.email = "13911112222", "zhang.jingli@huatai.cn"
    client.address, client.notes = "北京市海淀区中关村大街1号", "联系人：张经理，周末勿扰"
    client.save()  # a history row with the values
    PartyAlias.objects.create(party=client, name="华泰科技", name_normalized="华泰科技")
    contact_user = User(
        username="zhang.jingli@huatai.cn",
        email="zhang.jingli@huatai.cn",
        name="张经理",
        role=Role.CLIENT,
    )
    contact_user.set_password("correct-horse-battery")
    contact_user.save()
    contact = ClientContact.objects.create(user=contact_user, party=client, invited_by=f.lead)
    ClientContactMatter.objects.create(contact=contact, matter=f.matter, granted_by=f.lead)
    PortalInvitation.objects.create(
        contact=contact, token_hash="0" * 64, expires_at=_at(date(2030, 1, 1))
    )
    token, _raw = api_token_create(user=contact_user, name="portal")

    with time_machine.travel(_at(END), tick=False):
        report = personal_data_anonymise_run()
    assert report.parties == [client.pk, f.opposing_party.pk]
    client.refresh_from_db()
    assert (client.name, client.credit_code, client.address) == (
        "北京华泰科技有限公司",
        "91350200776049653A",
        "北京市海淀区中关村大街1号",
    )
    assert (client.phone, client.email, client.notes) == ("", "", "")
    assert list(client.aliases.values_list("name", flat=True)) == ["华泰科技"]
    history = list(client.history.values_list("name", "phone", "email", "notes"))
    assert len(history) >= 2
    assert {row[1:] for row in history} == {("", "", "")}
    assert {row[0] for row in history} == {"北京华泰科技有限公司"}

    contact_user.refresh_from_db()
    assert (
        contact_user.name,
        contact_user.username,
        contact_user.email,
        contact_user.is_active,
        contact_user.has_usable_password(),
    ) == (f"（已匿名化 {contact_user.pk}）", f"anonymised-{contact_user.pk}", "", False, False)
    assert PortalInvitation.objects.filter(contact=contact).count() == 0
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert PartyAnonymisation.objects.get(party=client).fields == [
        "phone",
        "email",
        "notes",
        "history",
        "client_contacts",
    ]
    events = AuditEvent.objects.filter(action__in=["party.anonymise", "user.anonymise"])
    assert sorted((e.action, e.object_id) for e in events) == sorted(
        [
            ("party.anonymise", str(client.pk)),
            ("party.anonymise", str(f.opposing_party.pk)),
            ("user.anonymise", str(contact_user.pk)),
        ]
    )
    recorded = str(list(events.values_list("data", flat=True)))
    assert not any(v in recorded for v in ("张经理", "13911112222", "zhang.jingli", "周末"))
    # Run again: nothing more to do.
    with time_machine.travel(_at(END), tick=False):
        assert personal_data_anonymise_run().parties == []


def test_an_organisation_on_a_live_matter_keeps_its_contacts(archived):
    f = archived
    Party.objects.filter(pk=f.client_party.pk).update(phone="13911112222")
    assert personal_data_anonymise_run(day=END).parties == [f.opposing_party.pk]
    f.client_party.refresh_from_db()
    assert f.client_party.phone == "13911112222"


def test_a_dry_run_lists_and_writes_nothing(archived):
    f = archived
    out = StringIO()
    with time_machine.travel(_at(END), tick=False):
        call_command("anonymise_expired", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "2025-01-10: 1 parties due, 0 held back by a legal hold",
        f"  party {f.opposing_party.pk}",
    ]
    f.opposing_party.refresh_from_db()
    assert f.opposing_party.name == "王伟"
    assert PartyAnonymisation.objects.count() == 0
    assert AuditEvent.objects.filter(action="party.anonymise").count() == 0


def test_a_party_still_on_a_live_matter_is_kept(archived):
    f = archived
    MatterParty.objects.create(matter=f.confidential, party=f.opposing_party, role="opposing")
    assert personal_data_anonymise_run(day=END).parties == []


def test_no_policy_for_the_type_or_a_permanent_file_keeps_the_data(archived):
    f = archived
    PersonalDataRetention.objects.filter(matter_type="civil").delete()
    assert personal_data_anonymise_run(day=date(2099, 1, 1)).parties == []
    PersonalDataRetention.objects.create(matter_type="civil", years=5)
    ArchiveRecord.objects.filter(matter=f.matter).update(
        retention=RetentionClass.objects.get(code="permanent")
    )
    assert personal_data_anonymise_run(day=date(2099, 1, 1)).parties == []


def test_the_paper_files_retention_class_is_a_floor(archived):
    RetentionClass.objects.filter(code="long").update(years=10)
    assert personal_data_anonymise_run(day=END, dry_run=True).parties == []
    assert personal_data_anonymise_run(day=date(2030, 1, 10), dry_run=True).parties == [
        archived.opposing_party.pk
    ]


def test_a_legal_hold_stops_anonymisation_until_released(archived):
    f = archived
    with pytest.raises(NotAllowed):
        legal_hold_set(actor=f.lead, matter=f.matter, reason="证据保全")
    with pytest.raises(ValidationError):
        legal_hold_set(actor=f.partner, matter=f.matter, reason=" ")
    legal_hold_set(actor=f.partner, matter=f.matter, reason="监管机构调取")
    report = personal_data_anonymise_run(day=END)
    assert (report.parties, report.held) == ([], [f.opposing_party.pk])
    legal_hold_release(actor=f.admin, matter=f.matter, reason="调取完毕")
    assert personal_data_anonymise_run(day=END).parties == [f.opposing_party.pk]
    actions = list(
        AuditEvent.objects.filter(action__startswith="matter.legal_hold")
        .order_by("id")
        .values_list("action", "actor_id", "data")
    )
    assert actions == [
        ("matter.legal_hold_set", f.partner.pk, {"reason": "监管机构调取"}),
        ("matter.legal_hold_release", f.admin.pk, {"reason": "调取完毕"}),
    ]


def test_consent_for_a_sensitive_field_is_recorded_and_withdrawn(firm):
    person = firm.opposing_party
    with pytest.raises(NotAllowed):
        consent_record(actor=firm.finance, party=person, field_name="id_number", basis="书面")
    with pytest.raises(ValidationError):
        consent_record(actor=firm.lead, party=person, field_name="phone", basis="书面")
    consent = consent_record(
        actor=firm.lead, party=person, field_name="id_number", basis="2026-12-01 书面同意书"
    )
    assert consent_live(party=person, field_name="id_number") == consent
    assert consent_withdraw(actor=firm.lead, party=person, field_name="id_number") is True
    assert consent_live(party=person, field_name="id_number") is None
    assert list(
        AuditEvent.objects.filter(action__startswith="party.consent")
        .order_by("id")
        .values_list("action", "data")
    ) == [
        ("party.consent_record", {"field": "id_number"}),
        ("party.consent_withdraw", {"field": "id_number"}),
    ]


def test_the_matter_page_sets_a_legal_hold_and_the_party_page_records_consent(firm):
    partner = client_for(firm.partner)
    page = partner.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert f"/matters/{firm.matter.pk}/legal-hold/" in page
    response = partner.post(
        f"/matters/{firm.matter.pk}/legal-hold/", {"hold": "set", "reason": "证据保全"}
    )
    assert response.status_code == 302
    assert LegalHold.objects.get(matter=firm.matter).reason == "证据保全"
    lead = client_for(firm.lead)
    person = firm.opposing_party
    assert f"/parties/{person.pk}/consents/" in lead.get(f"/parties/{person.pk}/").content.decode()
    lead.post(f"/parties/{person.pk}/consents/", {"field": "passport", "basis": "当面书面同意"})
    assert consent_live(party=person, field_name="passport").basis == "当面书面同意"
    assert "当面书面同意" in lead.get(f"/parties/{person.pk}/consents/").content.decode()


def test_a_persons_names_leave_the_matter_title_summary_history_and_court_messages(archived):
    """Anonymising 王伟 takes their names (and alias 王小伟) out of the text the firm keeps
    about their matters: the matter's title and summary, their edit history, and the court
    messages filed on it. The client's name (an organisation: registry data) stays."""
    f = archived
    person = f.opposing_party
    Matter.objects.filter(pk=f.matter.pk).update(summary="王小伟拖欠货款，华泰科技起诉")
    Matter.objects.get(pk=f.matter.pk).save()  # a history row with the summary
    message = CourtMessage.objects.create(
        text="【北京市朝阳区人民法院】华泰科技与王伟买卖合同纠纷一案定于2021年3月1日开庭。",
        received_on=date(2020, 1, 1),
        matter=f.matter,
    )
    with time_machine.travel(_at(END), tick=False):
        assert personal_data_anonymise_run().parties == [person.pk]
    placeholder = f"（已匿名化 {person.pk}）"
    matter = Matter.objects.get(pk=f.matter.pk)
    assert (matter.title, matter.summary) == (
        f"华泰科技诉{placeholder}买卖合同纠纷",
        f"{placeholder}拖欠货款，华泰科技起诉",
    )
    history = list(Matter.history.filter(id=f.matter.pk).values_list("title", "summary"))
    assert history and not any("王" in title + summary for title, summary in history)
    message.refresh_from_db()
    assert "王伟" not in message.text and placeholder in message.text


def test_the_matter_pages_legal_hold_form_is_rendered_once_and_kept(firm, monkeypatch):
    """The legal hold form (unbound, on every matter page of whoever may set a hold) is
    kept as HTML (`{% unbound_form %}`, core.formcache): rendered on the first page, then
    served the same; the set and the release form each their own."""
    rendered: list[str] = []
    as_div = forms.Form.as_div

    def counting(self: forms.Form) -> str:
        if isinstance(self, LegalHoldForm):
            rendered.append(self.initial["hold"])
        return as_div(self)

    monkeypatch.setattr(forms.Form, "as_div", counting)
    partner = client_for(firm.partner)
    url = f"/matters/{firm.matter.pk}/"

    def section() -> str:
        page = partner.get(url).content.decode()
        html = page.split('id="legal-hold"')[1].split("</section>")[0]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)

    first = section()
    assert section() == first
    assert rendered == ["set"]
    plain = as_div(LegalHoldForm(initial={"hold": "set"}))
    assert plain in first
    assert 'name="hold" value="set"' in first and 'name="reason"' in first
    partner.post(f"{url}legal-hold/", {"hold": "set", "reason": "证据保全"})
    released = section()
    assert 'name="hold" value="release"' in released
    assert rendered[:2] == ["set", "release"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "9999-12-31"], "--date must lie between 1901-01-01 and 2100-12-31"),
        (["--date", "9999-12-31", "--dry-run"], "--date must lie between"),
        (["--date", "2025-01-11"], "--date after today only with --dry-run"),
    ],
)
def test_a_day_out_of_range_or_later_is_refused_and_nothing_changes(archived, args, message):
    # 9999-12-31 was accepted: every archived party's retention had ended by then, so a typo
    # anonymised them all, irreversibly.
    f = archived
    with time_machine.travel(_at(END), tick=False), pytest.raises(CommandError, match=message):
        call_command("anonymise_expired", *args, stdout=StringIO())
    f.opposing_party.refresh_from_db()
    assert f.opposing_party.name == "王伟"
    assert PartyAnonymisation.objects.count() == 0
