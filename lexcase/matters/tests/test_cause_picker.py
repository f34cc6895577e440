"""The 案由 picker (issue 16 item 16): searchable by words and pinyin initials, the hierarchy
visible, 罪名 for criminal and 行政案由 for administrative matters as data with sources."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lexcase.matters.causes_other_data import (
    ADMINISTRATIVE_CAUSES,
    CRIMINAL_CHARGES,
    OTHER_CAUSE_VERSIONS,
)
from lexcase.matters.models import CaseCause
from lexcase.matters.services import matter_create, matter_update
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [CRIMINAL_CHARGES, ADMINISTRATIVE_CAUSES])
def test_other_cause_data_is_a_tree_with_unique_codes_and_names(rows):
    codes = [code for code, _n, _p in rows]
    assert len(codes) == len(set(codes))
    names = [name for _c, name, _p in rows]
    assert len(names) == len(set(names))
    seen: set[str] = set()
    for code, _name, parent in rows:
        assert parent is None or parent in seen, code
        seen.add(code)


def test_every_version_names_its_source():
    for kind, source in OTHER_CAUSE_VERSIONS.values():
        assert kind in ("criminal", "administrative")
        assert "最高人民法院" in source and "in force" in source


def test_charges_and_administrative_causes_are_loaded_with_their_kind():
    fraud = CaseCause.objects.get(name="合同诈骗罪")
    assert fraud.kind == "criminal" and fraud.parent.name == "破坏社会主义市场经济秩序罪"
    assert CaseCause.objects.get(name="袭警罪").kind == "criminal"
    fine = CaseCause.objects.get(name="罚款")
    assert fine.kind == "administrative" and fine.parent.name == "行政处罚"
    assert CaseCause.objects.get(name="政府信息公开").parent.name == "行政行为"
    assert CaseCause.objects.get(name="买卖合同纠纷").kind == "civil"


def test_the_picker_groups_indents_and_carries_pinyin(firm):
    html = client_for(firm.lead).get(reverse("matters:create")).content.decode()
    assert "js/cause_picker.js" in html
    assert 'data-cause-picker="1"' in html
    # The hierarchy: a group per part, a child indented under its parent.
    assert 'label="民事案由 · 合同、准合同纠纷"' in html
    assert 'label="罪名 · 侵犯财产罪"' in html
    assert ">\u3000买卖合同纠纷</option>" in html
    # Searchable by parent, name, pinyin initials and pinyin.
    assert "合同纠纷 买卖合同纠纷 mmhtjf maimaihetongjiufen" in html
    assert 'data-kind="criminal"' in html and 'data-kind="administrative"' in html


def test_a_charge_fits_only_a_criminal_matter(firm):
    fraud = CaseCause.objects.get(name="合同诈骗罪")
    with pytest.raises(ValidationError) as err:
        matter_create(actor=firm.lead, title="甲公司诉乙公司", matter_type="civil", cause=fraud)
    assert "cause" in err.value.message_dict
    matter = matter_create(
        actor=firm.lead, title="张某涉嫌合同诈骗罪辩护", matter_type="criminal", cause=fraud
    )
    assert matter.cause == fraud
    fine = CaseCause.objects.get(name="罚款")
    with pytest.raises(ValidationError):
        matter_update(
            actor=firm.lead, matter=matter, version=matter.version, fields={"cause": fine}
        )
    # The form says so on the field.
    response = client_for(firm.lead).post(
        reverse("matters:create"),
        {
            "title": "甲诉乙",
            "matter_type": "civil",
            "priority": "P2",
            "cause": str(fraud.pk),
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0",
            "parties-MAX_NUM_FORMS": "10",
            "parties-0-name": "甲",
            "parties-0-kind": "person",
            "parties-0-role": "client",
        },
    )
    assert response.status_code == 422
    assert "合同诈骗罪" in response.content.decode()
    assert not CaseCause.objects.get(pk=fraud.pk).matter_set.filter(title="甲诉乙").exists()
