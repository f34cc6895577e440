"""法院代字 → court name, to propose a matter's court from a 案号 (issue 16 item 17).

Source: 最高人民法院《关于人民法院案件案号的若干规定》(法〔2015〕137号, amended 2018) and its
appendix 《法院代字表》: the Supreme People's Court is 最高法; a high court is the province's
abbreviation (京); an intermediate or specialised court the abbreviation and two digits
(京01, 京73); a basic court the abbreviation and four digits, which follow the county-level
administrative-division code of GB/T 2260 (京0105 = 110105 朝阳区 → 北京市朝阳区人民法院).

Shipped: the supreme and every high court, and the intermediate, specialised and basic courts
of 北京 and 上海 and of 广州 and 深圳, checked against the division codes; not the other
~3,500 courts. A code not in the table is never guessed (the court stays for the lawyer to
type). A firm adds or corrects rows with the setting ``LEXCASE_COURT_CODES`` (a dict of
code → name merged over this table), e.g. for the courts of its own city.
"""

from __future__ import annotations

__all__ = ["COURT_CODES", "COURT_CODES_SOURCE"]

COURT_CODES_SOURCE = (
    "最高人民法院《关于人民法院案件案号的若干规定》(法〔2015〕137号) 附件《法院代字表》; "
    "basic courts by GB/T 2260 county-level division codes"
)

_HIGH_COURTS = {
    "京": "北京市",
    "津": "天津市",
    "沪": "上海市",
    "渝": "重庆市",
    "冀": "河北省",
    "豫": "河南省",
    "云": "云南省",
    "辽": "辽宁省",
    "黑": "黑龙江省",
    "湘": "湖南省",
    "皖": "安徽省",
    "鲁": "山东省",
    "新": "新疆维吾尔自治区",
    "苏": "江苏省",
    "浙": "浙江省",
    "赣": "江西省",
    "鄂": "湖北省",
    "桂": "广西壮族自治区",
    "甘": "甘肃省",
    "晋": "山西省",
    "蒙": "内蒙古自治区",
    "陕": "陕西省",
    "吉": "吉林省",
    "闽": "福建省",
    "贵": "贵州省",
    "粤": "广东省",
    "青": "青海省",
    "藏": "西藏自治区",
    "川": "四川省",
    "宁": "宁夏回族自治区",
    "琼": "海南省",
}

COURT_CODES: dict[str, str] = {
    "最高法": "最高人民法院",
    **{code: f"{place}高级人民法院" for code, place in _HIGH_COURTS.items()},
    # 北京
    "京01": "北京市第一中级人民法院",
    "京02": "北京市第二中级人民法院",
    "京03": "北京市第三中级人民法院",
    "京73": "北京知识产权法院",
    "京0101": "北京市东城区人民法院",
    "京0102": "北京市西城区人民法院",
    "京0105": "北京市朝阳区人民法院",
    "京0106": "北京市丰台区人民法院",
    "京0107": "北京市石景山区人民法院",
    "京0108": "北京市海淀区人民法院",
    "京0109": "北京市门头沟区人民法院",
    "京0111": "北京市房山区人民法院",
    "京0112": "北京市通州区人民法院",
    "京0113": "北京市顺义区人民法院",
    "京0114": "北京市昌平区人民法院",
    "京0115": "北京市大兴区人民法院",
    "京0116": "北京市怀柔区人民法院",
    "京0117": "北京市平谷区人民法院",
    "京0118": "北京市密云区人民法院",
    "京0119": "北京市延庆区人民法院",
    # 上海
    "沪01": "上海市第一中级人民法院",
    "沪02": "上海市第二中级人民法院",
    "沪03": "上海市第三中级人民法院",
    "沪73": "上海知识产权法院",
    "沪74": "上海金融法院",
    "沪0101": "上海市黄浦区人民法院",
    "沪0104": "上海市徐汇区人民法院",
    "沪0105": "上海市长宁区人民法院",
    "沪0106": "上海市静安区人民法院",
    "沪0107": "上海市普陀区人民法院",
    "沪0109": "上海市虹口区人民法院",
    "沪0110": "上海市杨浦区人民法院",
    "沪0112": "上海市闵行区人民法院",
    "沪0113": "上海市宝山区人民法院",
    "沪0114": "上海市嘉定区人民法院",
    "沪0115": "上海市浦东新区人民法院",
    "沪0116": "上海市金山区人民法院",
    "沪0117": "上海市松江区人民法院",
    "沪0118": "上海市青浦区人民法院",
    "沪0120": "上海市奉贤区人民法院",
    "沪0151": "上海市崇明区人民法院",
    # 广州, 深圳
    "粤01": "广东省广州市中级人民法院",
    "粤03": "广东省深圳市中级人民法院",
    "粤73": "广州知识产权法院",
    "粤0103": "广州市荔湾区人民法院",
    "粤0104": "广州市越秀区人民法院",
    "粤0105": "广州市海珠区人民法院",
    "粤0106": "广州市天河区人民法院",
    "粤0111": "广州市白云区人民法院",
    "粤0112": "广州市黄埔区人民法院",
    "粤0113": "广州市番禺区人民法院",
    "粤0303": "深圳市罗湖区人民法院",
    "粤0304": "深圳市福田区人民法院",
    "粤0305": "深圳市南山区人民法院",
    "粤0306": "深圳市宝安区人民法院",
    "粤0307": "深圳市龙岗区人民法院",
    "粤0308": "深圳市盐田区人民法院",
}
