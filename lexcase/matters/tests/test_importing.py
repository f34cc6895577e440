"""Importing historical matters from JSON, CSV and XLSX (lexcase.matters.importing)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import execute_from_command_line
from django.db import connections
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from lexcase.audit.models import AuditEvent
from lexcase.core.fieldcrypt import blind_index
from lexcase.matters import import_views
from lexcase.matters.importing import ImportReport, import_file
from lexcase.matters.models import Matter, MatterNumberCounter, MatterParty, MatterType
from lexcase.matters.services import matter_create
from lexcase.parties.models import Party, PartyAlias
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

TEMPLATE = Path(import_views.__file__).parent / "static" / "matters" / "import-template.csv"
HEADER = (
    "number,title,matter_type,status,opened_on,closed_on,"
    "party_name,party_kind,party_role,id_number,credit_code,aliases"
)
HUATAI_CODE = "91350200776049653A"  # the firm fixture's client
YUANDA_CODE = "91110105MA01ABCD13"
LINA_ID = "440305199203150027"


def run(content: str | bytes, filename: str, actor=None, **kwargs) -> ImportReport:
    data = content.encode() if isinstance(content, str) else content
    with translation.override("en"):
        return import_file(path_or_file=io.BytesIO(data), filename=filename, actor=actor, **kwargs)


def counts() -> tuple[int, int, int]:
    return Matter.objects.count(), Party.objects.count(), MatterParty.objects.count()


def problems(report: ImportReport) -> set[tuple[str, str]]:
    return {(e.row, e.field) for e in report.errors}


def csv_text(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


JSON_DOC = {
    "matters": [
        {
            "number": "2019-民-0007",
            "title": "华泰科技诉远大贸易买卖合同纠纷",
            "matter_type": "civil",
            "status": "closed",
            "opened_on": "2019-03-04",
            "closed_on": "2020-01-15",
            "parties": [
                {
                    "name": "北京华泰科技有限公司",
                    "kind": "organization",
                    "role": "client",
                    "credit_code": HUATAI_CODE,
                },
                {
                    "name": "北京远大贸易有限公司",
                    "kind": "organization",
                    "role": "opposing",
                    "credit_code": YUANDA_CODE,
                    "aliases": ["远大贸易", "远大"],
                },
            ],
        },
        {
            "title": "李娜劳动争议仲裁",
            "matter_type": "labor_arbitration",
            "status": "open",
            "opened_on": "2024-06-18",
            "parties": [
                {"name": "李娜", "kind": "person", "role": "client", "id_number": LINA_ID},
                {"name": "王伟", "kind": "person", "role": "opposing"},
            ],
        },
    ]
}


# -- Happy paths -------------------------------------------------------------------------------


def test_json_import_creates_matters_and_reuses_parties(firm):
    before = counts()
    report = run(json.dumps(JSON_DOC, ensure_ascii=False), "history.json", actor=firm.admin)
    assert report.ok, report.errors
    assert (report.created_matters, report.skipped_matters) == (2, 0)
    # 华泰 by credit code and 王伟 by name are the firm's; 远大 and 李娜 are new.
    assert (report.created_parties, report.reused_parties) == (2, 2)
    assert counts() == (before[0] + 2, before[1] + 2, before[2] + 4)
    assert sorted(Party.objects.filter(pk__in=report.party_ids).values_list("name", flat=True)) == [
        "北京远大贸易有限公司",
        "李娜",
    ]
    kept = Matter.objects.get(number="2019-民-0007")
    assert (kept.status, kept.opened_on, kept.closed_on) == (
        "closed",
        date(2019, 3, 4),
        date(2020, 1, 15),
    )
    assert kept.created_by == firm.admin
    assert not kept.members.exists()  # history: no team unless the file names one
    assert set(kept.matter_parties.values_list("party_id", "role")) == {
        (firm.client_party.pk, "client"),
        (Party.objects.get(credit_code=YUANDA_CODE).pk, "opposing"),
    }
    # Without a number: the firm pattern, in the year the matter was opened.
    labour = Matter.objects.get(title="李娜劳动争议仲裁")
    assert labour.number == "2024-劳-0001"
    assert (labour.status, labour.closed_on) == ("open", None)
    assert labour.matter_parties.get(role="opposing").party == firm.opposing_party
    yuanda = Party.objects.get(credit_code=YUANDA_CODE)
    assert yuanda.name_normalized == "北京远大贸易有限公司"
    assert yuanda.name_core == "北京远大贸易"
    assert set(PartyAlias.objects.filter(party=yuanda).values_list("name", flat=True)) == {
        "远大贸易",
        "远大",
    }
    event = AuditEvent.objects.get(action="import")
    assert event.actor == firm.admin
    assert event.data["created_matters"] == 2
    assert event.data["created_parties"] == 2
    assert event.data["filename"] == "history.json"


def test_imported_rows_get_the_model_defaults(firm):
    report = run(TEMPLATE.read_bytes(), "t.csv", actor=firm.admin)
    matter = Matter.objects.get(number="2019-民-0007")
    assert (matter.priority, matter.stage, matter.version) == ("P2", "preparation", 1)
    assert (matter.confidential, matter.summary, matter.amount, matter.cause) == (
        False,
        "",
        None,
        None,
    )
    assert matter.created_at is not None and matter.updated_at is not None
    party = Party.objects.get(pk=report.party_ids[0])
    assert (party.version, party.phone, party.notes) == (1, "", "")
    assert party.created_at is not None
    assert set(matter.matter_parties.values_list("standing", flat=True)) == {""}
    assert PartyAlias.objects.filter(party__pk__in=report.party_ids, kind="alias").exists()


def test_csv_import_of_the_downloadable_template(firm):
    before = counts()
    report = run(TEMPLATE.read_bytes(), "import-template.csv", actor=firm.admin)
    assert report.ok, report.errors
    assert (report.created_matters, report.skipped_matters) == (2, 0)
    assert (report.created_parties, report.reused_parties) == (4, 1)
    assert counts() == (before[0] + 2, before[1] + 4, before[2] + 5)
    grouped = Matter.objects.get(number="2019-民-0007")
    assert grouped.matter_parties.count() == 3
    assert grouped.matter_parties.get(role="client").party == firm.client_party
    labour = Matter.objects.get(title="李娜劳动争议仲裁")
    assert labour.matter_parties.count() == 2
    assert labour.status == "open"
    # Aliases split on ";" and the full-width "；" alike.
    xinghe = Party.objects.get(name="上海星河物流有限公司")
    assert list(xinghe.aliases.values_list("name", flat=True)) == ["星河物流"]


def test_csv_saved_by_chinese_excel_as_gb18030_and_full_width_alias_separator(firm):
    text = csv_text(
        ",星河物流咨询,consultation,closed,2023/5/6,2023/5/7,上海星河物流有限公司,"
        "organization,client,,,星河；星河物流;上海星河",
    )
    report = run(text.encode("gb18030"), "old.csv")
    assert report.ok, report.errors
    party = Party.objects.get(pk=report.party_ids[0])
    assert sorted(party.aliases.values_list("name", flat=True)) == ["上海星河", "星河", "星河物流"]
    assert Matter.objects.get(title="星河物流咨询").closed_on == date(2023, 5, 7)


def test_xlsx_import(firm):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "2018-仲-0003",
            "远大贸易与华泰科技仲裁",
            "commercial_arbitration",
            "closed",
            datetime(2018, 1, 2),  # a real date cell
            "2018-12-30",
            "北京远大贸易有限公司",
            "organization",
            "client",
            None,
            YUANDA_CODE,
            "远大",
        ]
    )
    sheet.append(["2018-仲-0003", None, None, None, None, None, "华泰科技", "organization"])
    sheet["I3"] = "opposing"
    sheet["K3"] = HUATAI_CODE
    sheet.append([])  # a blank row ends nothing and is skipped
    sheet.append(
        [
            None,
            "李娜法律咨询",
            "consultation",
            "open",
            "2025-02-03",
            None,
            "李娜",
            "person",
            "client",
            LINA_ID,
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    before = counts()
    report = run(out.getvalue(), "history.xlsx", actor=firm.admin)
    assert report.ok, report.errors
    assert (report.created_matters, report.created_parties, report.reused_parties) == (2, 2, 1)
    assert counts() == (before[0] + 2, before[1] + 2, before[2] + 3)
    arbitration = Matter.objects.get(number="2018-仲-0003")
    assert arbitration.opened_on == date(2018, 1, 2)
    # Matched by credit code although the file gives a short name.
    assert arbitration.matter_parties.get(role="opposing").party == firm.client_party
    assert Matter.objects.get(title="李娜法律咨询").number == "2025-咨-0001"


def test_values_written_in_chinese_as_the_pages_show_them(firm):
    """A firm fills the template in Chinese, with the words LexCase's own pages use (民事诉讼,
    已结案, 自然人, 委托人) or the usual short ones (民事, 结案, 个人, 单位, 对方): each is
    the code it names. They were all problems, so a Chinese spreadsheet imported nothing."""
    text = csv_text(
        "2021-民-0101,张三诉李四民间借贷纠纷,民事诉讼,已结案,2021-03-04,2021-11-30,"
        "张三,自然人,委托人,,,",
        "2021-民-0101,,,,,,李四,个人,对方当事人,,,",
        "2021-民-0101,,,,,,北京远大贸易有限公司,单位,第三人,,,",
        ",王五劳动争议,劳动仲裁,在办,2025/6/18,,王五,个人,委托人,,,",
        ",王五劳动争议,劳动仲裁,在办,2025/6/18,,上海星河物流有限公司,法人或其他组织,对方,,,",
        ",赵六法律咨询,咨,结案,2024-01-02,2024-01-09,赵六,Person,Client,,,",
        ",某公司常年顾问,常年法律顾问,open,2024-01-02,,某科技有限公司,公司,客户,,,",
    )
    report = run(text, "firm.csv", actor=firm.admin)
    assert report.ok, report.errors
    got = {
        m.title: (
            m.matter_type,
            m.status,
            sorted(
                (mp.party.name, mp.party.kind, mp.role)
                for mp in m.matter_parties.select_related("party")
            ),
        )
        for m in Matter.objects.filter(
            title__in=["张三诉李四民间借贷纠纷", "王五劳动争议", "赵六法律咨询", "某公司常年顾问"]
        )
    }
    assert got == {
        "张三诉李四民间借贷纠纷": (
            "civil",
            "closed",
            [
                ("北京远大贸易有限公司", "organization", "third_party"),
                ("张三", "person", "client"),
                ("李四", "person", "opposing"),
            ],
        ),
        "王五劳动争议": (
            "labor_arbitration",
            "open",
            [
                ("上海星河物流有限公司", "organization", "opposing"),
                ("王五", "person", "client"),
            ],
        ),
        "赵六法律咨询": ("consultation", "closed", [("赵六", "person", "client")]),
        "某公司常年顾问": ("counsel", "open", [("某科技有限公司", "organization", "client")]),
    }


def test_an_unknown_matter_type_lists_the_types(firm):
    text = csv_text(",甲案,离婚,open,2020-01-01,,王伟,person,client,,,")
    with translation.override("zh-hans"):
        report = import_file(path_or_file=io.BytesIO(text.encode()), filename="x.csv", actor=None)
    assert [(e.field, e.message) for e in report.errors] == [
        (
            "matter_type",
            "未知的案件类型“离婚”。请填写：民事诉讼、商事仲裁、劳动仲裁、刑事、行政、执行、非诉、"
            "常年法律顾问、咨询。",
        )
    ]


# -- Validation: every problem, nothing imported ------------------------------------------------


def test_bad_rows_are_all_reported_by_row_and_field_and_nothing_is_imported(firm):
    text = csv_text(
        # 2: wrong check character in the credit code
        "2020-民-0001,甲案,civil,open,2020-01-01,,北京远大贸易有限公司,organization,client,,"
        "91110105MA01ABCD14,",
        # 3: unknown matter type; the party on the row is fine
        "2020-民-0002,乙案,divorce,open,2020-01-01,,李娜,person,client,,,",
        # 4: closed before it was opened
        "2020-民-0003,丙案,civil,closed,2020-05-01,2020-04-30,王伟,person,client,,,",
        # 5: no title and no number
        ",,civil,open,2020-01-01,,王伟,person,client,,,",
        # 6: a valid row: nothing of it is imported either
        "2020-民-0004,丁案,civil,open,2020-01-01,,王伟,person,client,,,",
    )
    before = counts()
    report = run(text, "bad.csv", actor=firm.admin)
    assert not report.ok
    assert problems(report) == {
        ("2", "credit_code"),
        ("3", "matter_type"),
        ("4", "closed_on"),
        ("5", "title"),
    }
    by_row = {e.row: e.message for e in report.errors}
    assert by_row["2"] == "Unified social credit code has a wrong check digit."
    assert by_row["3"] == (
        "Unknown matter type “divorce”. Use one of: Civil litigation, Commercial arbitration, "
        "Labour arbitration, Criminal, Administrative, Enforcement, Non-litigation, "
        "Retained counsel, Consultation."
    )
    assert by_row["4"] == "The closing date cannot be before the opening date."
    assert by_row["5"] == "This field is required."
    assert [e.row for e in report.errors] == ["2", "3", "4", "5"]
    assert (report.created_matters, report.created_parties, report.party_ids) == (0, 0, [])
    assert counts() == before
    assert not AuditEvent.objects.filter(action="import").exists()


def test_the_report_is_in_the_users_language(firm):
    text = csv_text(",甲案,divorce,open,2020-01-01,,王伟,person,client,110105198001011239,,")
    with translation.override("zh-hans"):
        report = import_file(path_or_file=io.BytesIO(text.encode()), filename="x.csv", actor=None)
    assert {(e.field, e.message) for e in report.errors} == {
        (
            "matter_type",
            "未知的案件类型“divorce”。请填写：民事诉讼、商事仲裁、劳动仲裁、刑事、行政、执行、"
            "非诉、常年法律顾问、咨询。",
        ),
        ("id_number", "身份证号校验位错误。"),
    }


def test_json_problems_name_the_matter_and_party(firm):
    doc = json.loads(json.dumps(JSON_DOC))
    doc["matters"][1]["parties"][0]["id_number"] = "440305199203150028"
    doc["matters"][1]["parties"][1]["role"] = "judge"
    doc["matters"][0]["status"] = "archived"
    doc["matters"][0]["colour"] = "red"
    before = counts()
    report = run(json.dumps(doc, ensure_ascii=False), "bad.json")
    assert problems(report) == {
        ("matter 1", "status"),
        ("matter 1", "colour"),
        ("matter 2, party 1", "id_number"),
        ("matter 2, party 2", "role"),
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",甲案,civil,closed,2020-01-01,,王伟,person,client,,,", "closed_on"),  # no closing date
        (",甲案,civil,open,2020-01-01,2020-02-01,王伟,person,client,,,", "closed_on"),
        (",甲案,civil,open,,,王伟,person,client,,,", "opened_on"),
        (",甲案,civil,open,2020-02-30,,王伟,person,client,,,", "opened_on"),
        (",甲案,civil,pending,2020-01-01,,王伟,person,client,,,", "status"),
        (",甲案,civil,open,2020-01-01,,王伟,robot,client,,,", "party_kind"),
        (",甲案,civil,open,2020-01-01,,王伟,person,,,,", "party_role"),
        (",甲案,civil,open,2020-01-01,,,person,client,,,", "party_name"),
        (",甲案,civil,open,2020-01-01,,王伟,person,client,," + HUATAI_CODE + ",", "credit_code"),
        (",甲案,civil,open,2020-01-01,,华泰,organization,client,110105198001011238,,", "id_number"),
        ("X" * 41 + ",甲案,civil,open,2020-01-01,,王伟,person,client,,,", "number"),
        (",甲案,civil,open,2020-01-01,,王伟,person,client,,,,extra", ""),
    ],
)
def test_each_problem_names_its_field(firm, row, field):
    before = counts()
    report = run(csv_text(row), "bad.csv")
    assert problems(report) == {("2", field)}
    assert counts() == before


def test_file_level_problems(firm):
    assert problems(run("{not json", "x.json")) == {("line 1, column 2", "file")}
    assert problems(run('{"cases": []}', "x.json")) == {("", "matters")}
    assert problems(run("a,b\n", "x.txt")) == {("", "file")}
    assert problems(run(b"PK\x03\x04 not really a workbook", "x.xlsx")) == {("", "file")}
    assert problems(run("", "x.csv")) == {("", "file")}
    assert problems(run(HEADER + "\n", "x.csv")) == {("", "file")}  # no matters
    assert problems(run("title,matter_type,colour\n", "x.csv")) == {
        ("1", "colour"),
        ("1", "status"),
        ("1", "opened_on"),
        ("1", "party_name"),
        ("1", "party_kind"),
        ("1", "party_role"),
    }
    report = run(
        csv_text(*[f",案{i},civil,open,2020-01-01,,,,,,," for i in range(3)]), "x.csv", max_rows=2
    )
    assert problems(report) == {("", "file")}


def test_rows_of_one_matter_must_agree(firm):
    report = run(
        csv_text(
            "2020-民-0001,甲案,civil,open,2020-01-01,,王伟,person,client,,,",
            "2020-民-0001,乙案,civil,open,,,李娜,person,opposing,,,",
        ),
        "x.csv",
    )
    assert problems(report) == {("3", "title")}
    assert report.errors[0].message == "Differs from row 2 of the same matter."


def test_numbers_unique_in_the_file_and_not_another_matters(firm):
    doc = json.loads(json.dumps(JSON_DOC))
    doc["matters"][1]["number"] = "2019-民-0007"
    assert problems(run(json.dumps(doc), "x.json")) == {("matter 2", "number")}
    taken = csv_text(
        f"{firm.matter.number},另一个案件,civil,open,2020-01-01,,王伟,person,client,,,"
    )
    assert problems(run(taken, "x.csv")) == {("2", "number")}
    # The same number, title and type is the same matter: skipped, not an error.
    same = csv_text(
        f"{firm.matter.number},{firm.matter.title},civil,open,2020-01-01,,王伟,person,client,,,"
    )
    report = run(same, "x.csv")
    assert report.ok
    assert (report.created_matters, report.skipped_matters) == (0, 1)


def test_a_party_twice_in_the_same_role_is_a_problem(firm):
    report = run(
        csv_text(
            ",甲案,civil,open,2020-01-01,,北京华泰科技有限公司,organization,client,,,",
            ",甲案,civil,open,2020-01-01,,北京华泰科技有限公司　,organization,client,,,",
        ),
        "x.csv",
    )
    assert problems(report) == {("3", "party_name")}


# -- Idempotency and de-duplication --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_importing_twice_creates_nothing_new(firm, fmt):
    content = (
        TEMPLATE.read_bytes() if fmt == "csv" else json.dumps(JSON_DOC, ensure_ascii=False).encode()
    )
    first = run(content, f"history.{fmt}", actor=firm.admin)
    assert first.ok and first.created_matters == 2
    after_first = counts()
    numbers = set(Matter.objects.values_list("number", flat=True))
    second = run(content, f"history.{fmt}", actor=firm.admin)
    assert second.ok, second.errors
    assert (second.created_matters, second.created_parties, second.skipped_matters) == (0, 0, 2)
    assert second.reused_parties == first.created_parties + first.reused_parties
    assert second.party_ids == []
    assert counts() == after_first
    assert set(Matter.objects.values_list("number", flat=True)) == numbers


def test_numberless_matters_match_by_title_type_date_and_client(firm):
    rows = [
        ",常年法律顾问,counsel,open,2021-01-01,,王伟,person,client,,,",
        # the same again, further down: a second matter with the same key
        ",其他案件,civil,open,2021-01-01,,王伟,person,client,,,",
        ",常年法律顾问,counsel,open,2021-01-01,,王伟,person,client,,,",
        # another client: another matter (a blank line ends the previous one)
        "",
        ",常年法律顾问,counsel,open,2021-01-01,,李秘,person,client,,,",
    ]
    first = run(csv_text(*rows), "x.csv")
    assert (first.created_matters, first.skipped_matters) == (4, 0)
    assert Matter.objects.filter(title="常年法律顾问").count() == 3
    second = run(csv_text(*rows), "x.csv")
    assert (second.created_matters, second.skipped_matters) == (0, 4)
    # A changed opening date is a different matter.
    third = run(csv_text(rows[0].replace("2021-01-01", "2021-01-02")), "x.csv")
    assert (third.created_matters, third.skipped_matters) == (1, 0)


def test_parties_deduplicated_by_normalised_name_and_kind(firm):
    variants = [
        "广州华信贸易有限公司",
        "广州华信贸易有限公司 ",  # trailing space
        "广州华信贸易有限公司　",  # ideographic space
        " 广州 华信贸易有限公司",  # inner space
        "廣州華信貿易有限公司",  # traditional characters
    ]
    rows = [
        f",案件{i},civil,open,2020-01-01,,{name},organization,client,,,"
        for i, name in enumerate(variants)
    ]
    rows.append(",案件9,civil,open,2020-01-01,,广州华信贸易有限公司,person,client,,,")
    # The firm's client, spelled with full-width spaces and no credit code, is reused.
    rows.append(",案件10,civil,open,2020-01-01,,北京华泰科技有限公司　,organization,client,,,")
    before = counts()
    report = run(csv_text(*rows), "x.csv")
    assert report.ok, report.errors
    # One organisation for all five spellings, one person of the same name.
    assert (report.created_parties, report.reused_parties) == (2, 1)
    assert Party.objects.count() == before[1] + 2
    assert Party.objects.filter(name_normalized="广州华信贸易有限公司").count() == 2
    organisation = Party.objects.get(name_normalized="广州华信贸易有限公司", kind="organization")
    assert organisation.name == "广州华信贸易有限公司"  # the first spelling is kept
    assert organisation.matter_links.count() == 5
    assert firm.client_party.matter_links.count() == 2


def test_parties_deduplicated_by_identifier(firm):
    rows = [
        # different names, one credit code: one party (the first name), and the firm's
        f",甲案,civil,open,2020-01-01,,远大贸易,organization,client,,{YUANDA_CODE},",
        f",乙案,civil,open,2020-01-01,,北京远大贸易有限公司,organization,client,,{YUANDA_CODE},",
        f",丙案,civil,open,2020-01-01,,华泰,organization,client,,{HUATAI_CODE.lower()},",
        # ID numbers typed with a lower-case x and full-width digits are the same number
        f",丁案,civil,open,2020-01-01,,李娜,person,client,{LINA_ID},,",
        ",戊案,civil,open,2020-01-01,,李娜娜,person,client,４４０３０５１９９２０３１５００２７,,",
    ]
    report = run(csv_text(*rows), "x.csv")
    assert report.ok, report.errors
    assert (report.created_parties, report.reused_parties) == (2, 1)
    assert Party.objects.get(credit_code=YUANDA_CODE).name == "远大贸易"
    lina = Party.objects.get(id_number_hash=blind_index(LINA_ID))
    assert lina.matter_links.count() == 2
    # Written by the importer's own INSERTs: ciphertext, read back as the number.
    assert lina.id_number == LINA_ID
    raw = Party.objects.filter(pk=lina.pk).values_list(Cast("id_number", TextField()), flat=True)
    assert raw.get().startswith("gAAAAA")
    assert Matter.objects.get(title="丙案").matter_parties.get().party == firm.client_party


def test_a_name_shared_by_several_parties_prefers_one_without_identifier(firm):
    # The firm already has 王伟 (no ID); another 王伟 with an ID number is added.
    Party.objects.create(
        kind="person",
        name="王伟",
        name_normalized="王伟",
        name_core="王伟",
        name_trade="王伟",
        id_number="110105198001011238",
    )
    report = run(csv_text(",甲案,civil,open,2020-01-01,,王伟,person,client,,,"), "x.csv")
    assert report.reused_parties == 1
    assert Matter.objects.get(title="甲案").matter_parties.get().party == firm.opposing_party


# -- Numbers, dry run ------------------------------------------------------------------------------


def test_given_numbers_in_the_firm_pattern_move_the_counter_past_them(firm):
    year = timezone.localdate().year
    report = run(
        csv_text(f"{year}-民-0041,旧案,civil,open,{year}-01-02,,王伟,person,client,,,"), "x.csv"
    )
    assert report.ok, report.errors
    assert MatterNumberCounter.objects.get(year=year, type_code="民").last == 41
    fresh = matter_create(actor=firm.lead, title="新案", matter_type=MatterType.CIVIL)
    assert fresh.number == f"{year}-民-0042"


def test_dry_run_counts_and_writes_nothing(firm):
    before = counts()
    report = run(TEMPLATE.read_bytes(), "t.csv", actor=firm.admin, dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created_matters, report.created_parties, report.reused_parties) == (2, 4, 1)
    assert report.party_ids == []
    assert counts() == before
    assert not MatterNumberCounter.objects.filter(year=2024).exists()
    assert not AuditEvent.objects.filter(action="import").exists()


# -- The command ---------------------------------------------------------------------------


@pytest.fixture
def keep_connections(monkeypatch):
    """run_from_argv closes every connection when done, which would end the test's
    transaction on PostgreSQL; the exit code is what these tests are after."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_command_imports_and_exits_non_zero_on_problems(firm, tmp_path, capsys, keep_connections):
    good = tmp_path / "history.csv"
    good.write_bytes(TEMPLATE.read_bytes())
    execute_from_command_line(["lexcase", "import", str(good), "--language", "en"])
    assert "2 matters created" in capsys.readouterr().out
    assert Matter.objects.filter(number="2019-民-0007").exists()

    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(",,civil,open,2020-01-01,,王伟,person,client,,,"), encoding="utf-8")
    before = counts()
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["lexcase", "import", str(bad), "--language", "en"])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "2 title: This field is required." in err
    assert "1 problem found; nothing was imported." in err
    assert counts() == before

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["lexcase", "import", str(tmp_path / "missing.csv")])
    assert exit_info.value.code != 0


def test_command_dry_run_and_actor(firm, tmp_path, capsys, keep_connections):
    good = tmp_path / "history.json"
    good.write_text(json.dumps(JSON_DOC, ensure_ascii=False), encoding="utf-8")
    execute_from_command_line(["lexcase", "import", str(good), "--dry-run", "--language", "en"])
    assert "Dry run" in capsys.readouterr().out
    assert not Matter.objects.filter(number="2019-民-0007").exists()
    execute_from_command_line(["lexcase", "import", str(good), "--actor", "admin"])
    assert AuditEvent.objects.get(action="import").actor == firm.admin
    assert Matter.objects.get(number="2019-民-0007").created_by == firm.admin


# -- The upload page -------------------------------------------------------------------------------


def test_upload_page_for_admins(firm):
    admin = client_for(firm.admin)
    page = admin.get("/matters/import/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    before = counts()
    upload = SimpleUploadedFile("history.csv", TEMPLATE.read_bytes(), content_type="text/csv")
    response = admin.post("/matters/import/", {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.created_matters == 2
    assert counts()[0] == before[0] + 2
    assert AuditEvent.objects.get(action="import").actor == firm.admin


def test_upload_page_shows_every_problem_in_a_table(firm):
    bad = csv_text(
        ",,civil,open,2020-01-01,,王伟,person,client,,,",
        ",乙案,divorce,open,2020-01-01,,王伟,person,client,,,",
    )
    before = counts()
    response = client_for(firm.admin).post(
        "/matters/import/",
        {"file": SimpleUploadedFile("bad.csv", bad.encode()), "dry_run": ""},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr><td class="nowrap">') == 2
    assert "matter_type" in html and "title" in html
    assert counts() == before


def test_upload_refuses_other_extensions_and_large_files(firm, monkeypatch):
    admin = client_for(firm.admin)
    response = admin.post("/matters/import/", {"file": SimpleUploadedFile("x.txt", b"a")})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["file"]
    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 10)
    big = SimpleUploadedFile("x.csv", TEMPLATE.read_bytes())
    response = admin.post("/matters/import/", {"file": big})
    assert response.context["report"] is None
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize("persona", ["lead", "partner", "finance", "assistant"])
def test_upload_page_is_for_admins_only(firm, persona):
    client = client_for(getattr(firm, persona))
    before = counts()
    assert client.get("/matters/import/").status_code == 403
    upload = SimpleUploadedFile("history.csv", TEMPLATE.read_bytes())
    assert client.post("/matters/import/", {"file": upload}).status_code == 403
    assert client.get("/matters/import/template/").status_code == 403
    assert counts() == before


def test_anonymous_users_are_sent_to_log_in(firm):
    response = client_for(None).get("/matters/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_template_downloads(firm):
    admin = client_for(firm.admin)
    response = admin.get("/matters/import/template/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == TEMPLATE.read_bytes()
    response = admin.get("/matters/import/template/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    # The generated workbook imports like the CSV.
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADER.split(",")
    report = run(response.content, "template.xlsx")
    assert report.ok, report.errors
    assert report.created_matters == 2


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        (
            '{"matters": [\n  {"title": "甲案"\n   "matter_type": "civil"}]}',
            "第 3 行，第 4 列",
            "文件不是有效的 JSON：缺少英文逗号",
        ),
        (
            '{"matters": [{"title": "甲案",}]}',
            "第 1 行，第 28 列",
            "文件不是有效的 JSON：} 或 ] 前多了一个逗号",
        ),
        ("{matters: []}", "第 1 行，第 2 列", "文件不是有效的 JSON：字段名须用英文双引号括起"),
        (
            '{"matters": [{"title": 甲案}]}',
            "第 1 行，第 24 列",
            "文件不是有效的 JSON：缺少值，或值不是 JSON（文字须用英文双引号括起）",
        ),
        (
            '{"matters": [{"title": "甲案}]}',
            "第 1 行，第 24 列",
            "文件不是有效的 JSON：文字缺少结尾的英文双引号",
        ),
        (
            '{"matters": [{"title": "甲\n案"}]}',
            "第 1 行，第 26 列",
            "文件不是有效的 JSON：文字中含有换行符或控制字符（换行请写作 \\n）",
        ),
        (
            '{"matters": []} []',
            "第 1 行，第 17 列",
            "文件不是有效的 JSON：JSON 内容结束后还有多余内容",
        ),
        (
            '{"matters": [{"title": "\\q"}]}',
            "第 1 行，第 25 列",
            "文件不是有效的 JSON：文字中含有无效的反斜杠转义",
        ),
        (
            '{"matters": [{"title": "\\u12"}]}',
            "第 1 行，第 26 列",
            "文件不是有效的 JSON：文字中含有无效的 \\uXXXX 转义",
        ),
        (
            '{"matters": [{"title": 1' + "0" * 5000 + "}]}",
            "",
            "文件不是有效的 JSON：数字过长，无法读取",
        ),
        ("  \n", "", "文件为空。"),
        (
            b'\xef\xbb\xbf{"matters": [{"title": "\xb8\xdf"}]}',
            "第 28 字节",
            "文件不是 UTF-8 编码的文本。",
        ),
    ],
)
def test_json_syntax_errors_are_reported_in_the_users_language_with_their_place(
    firm, content, where, message
):
    """Python's JSON parser explains a refusal in English with a character offset ("Expecting
    ',' delimiter: line 3 column 4 (char 35)"): the report said 文件不是有效的 JSON：Expecting
    … in a Chinese sentence. It says what is wrong in the reader's language, and where."""
    data = content.encode() if isinstance(content, str) else content
    before = counts()
    with translation.override("zh-hans"):
        report = import_file(path_or_file=io.BytesIO(data), filename="x.json", actor=firm.admin)
    assert [(e.row, e.field, e.message) for e in report.errors] == [(where, "file", message)]
    assert (report.ok, counts()) == (False, before)


def test_upload_page_shows_a_json_syntax_error_in_chinese(firm):
    bad = '{"matters": [\n  {"title": "甲案"\n   "matter_type": "civil"}]}'
    response = client_for(firm.admin).post(
        "/matters/import/", {"file": SimpleUploadedFile("bad.json", bad.encode())}
    )
    html = response.content.decode()
    assert '<td class="nowrap">第 3 行，第 4 列</td>' in html
    assert "文件不是有效的 JSON：缺少英文逗号" in html
    assert "Expecting" not in html and "delimiter" not in html


@pytest.mark.parametrize("nested", ["[" * 100_000 + "]" * 100_000, '{"matters": ' + "[" * 50_000])
def test_json_nested_too_deeply_is_a_file_problem(firm, nested):
    # Python's JSON parser recurses per level: it raised RecursionError (an HTTP 500 on the
    # import page) instead of the report.
    before = counts()
    report = run(nested, "deep.json", actor=firm.admin)
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        ("", "file", "The file nests its values too deeply to be read.")
    ]
    assert (report.ok, counts()) == (False, before)


# -- Text no database stores, dates outside the civil range ------------------------------------


def test_nul_in_csv_cells_is_a_problem_of_its_row_and_field(firm):
    # PostgreSQL refused the NUL at the INSERT (DataError, not IntegrityError): an HTTP 500
    # on the import page and a traceback from the command; SQLite stored it.
    bad = csv_text(
        "2020-民-0009\x00,甲案,civil,open,2020-01-01,,王伟,person,client,,,",
        ",乙\x00案,civil,open,2020-01-01,,李\x00娜,person,client,,,",
        ",丙案,civil,open,2020-01-01,,赵六,person,client,,,赵\x00六",
    )
    before = counts()
    report = run(bad, "nul.csv", actor=firm.admin)
    assert not report.ok
    assert problems(report) == {
        ("2", "number"),
        ("3", "title"),
        ("3", "party_name"),
        ("4", "aliases"),
    }
    assert {e.message for e in report.errors} == {
        "Remove the NUL character (U+0000); it cannot be stored."
    }
    assert counts() == before


def test_lone_surrogates_in_json_are_problems_not_errors(firm):
    # "\ud800" is valid JSON but has no UTF-8: both databases raised UnicodeEncodeError at
    # the INSERT, and a key holding one broke the page's report.
    doc = (
        '{"matters": [{"title": "甲\\ud800", "matter_type": "civil", "status": "open",'
        ' "opened_on": "2020-01-01", "\\udfff": 1, "parties": [{"name": "王\\u0000",'
        ' "kind": "person", "role": "client", "aliases": ["\\ud800"]}]}]}'
    )
    before = counts()
    report = run(doc, "bad.json", actor=firm.admin)
    assert not report.ok
    assert problems(report) == {
        ("matter 1", "title"),
        ("matter 1", "\\udfff"),
        ("matter 1, party 1", "name"),
        ("matter 1, party 1", "aliases"),
    }
    assert counts() == before
    response = client_for(firm.admin).post(
        "/matters/import/", {"file": SimpleUploadedFile("bad.json", doc.encode())}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请删除空字符（U+0000），该字符无法保存。" in html
    assert "请删除无法保存的字符（孤立的 UTF-16 代理项）。" in html
    assert counts() == before


@pytest.mark.parametrize(
    ("opened", "closed", "field"),
    [
        ("0001-01-01", "", "opened_on"),
        ("9999-12-31", "", "opened_on"),
        ("1900-12-31", "", "opened_on"),
        ("2020-01-01", "9999-12-31", "closed_on"),
    ],
)
def test_dates_outside_the_civil_range_are_problems(firm, opened, closed, field):
    # They were imported: a matter opened in year 1 numbered "1-民-0001", one in 9999.
    status = "closed" if closed else "open"
    bad = csv_text(f",甲案,civil,{status},{opened},{closed},王伟,person,client,,,")
    before = counts()
    report = run(bad, "dates.csv", actor=firm.admin)
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        ("2", field, "Enter a date between 1901-01-01 and 2100-12-31.")
    ]
    assert (report.ok, counts()) == (False, before)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            FileNotFoundError(2, "No such file or directory", "/srv/x.json"),
            "无法读取文件：文件不存在",
        ),
        (PermissionError(13, "Permission denied", "/srv/x.json"), "无法读取文件：没有读取权限"),
        (
            IsADirectoryError(21, "Is a directory", "/srv/x.json"),
            "无法读取文件：这是文件夹，不是文件",
        ),
        (OSError(5, "Input/output error"), "无法读取文件：读取失败"),
    ],
)
def test_a_file_that_cannot_be_read_is_reported_in_the_users_language(
    firm, monkeypatch, error, message
):
    """The reader's failure was reported with the operating system's English text and the
    server's path (无法读取文件：[Errno 13] Permission denied: '/srv/x.json'). The page names
    the file field and what went wrong in the reader's language; nothing is imported."""

    def refuse(path_or_file):
        raise error

    monkeypatch.setattr("lexcase.matters.importing._read_bytes", refuse)
    before = counts()
    response = client_for(firm.admin).post(
        "/matters/import/", {"file": SimpleUploadedFile("x.json", b'{"matters": []}')}
    )
    html = response.content.decode()
    assert f'<td class="nowrap">文件</td><td>{message}</td>' in html
    assert "Errno" not in html and "/srv/" not in html
    assert counts() == before
    # The command line passes a path: one that is not there.
    monkeypatch.undo()
    with translation.override("zh-hans"):
        report = import_file(path_or_file="/nonexistent/x.json", filename="x.json", actor=None)
    assert [(e.row, e.field, e.message) for e in report.errors] == [
        ("", "file", "无法读取文件：文件不存在")
    ]
