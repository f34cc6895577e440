"""Default checklists shipped with LexCase (admins edit them at /tasks/checklists/).

Keyed by (matter type, stage); stage "" means "when the matter opens". Each item is
(title, due after N days, assign to "lead" | "assistant"). The titles are the firm's
working language, so they are data, not UI strings.
"""

from __future__ import annotations

DEFAULT_CHECKLISTS: dict[tuple[str, str], tuple[str, list[tuple[str, int, str]]]] = {
    ("civil", ""): (
        "民事案件收案",
        [
            ("签订委托合同并收取律师费", 3, "lead"),
            ("收集当事人身份证明及授权委托书", 3, "assistant"),
            ("梳理案情并制作证据清单", 7, "lead"),
            ("核实诉讼时效", 3, "lead"),
        ],
    ),
    ("civil", "filing"): (
        "民事立案",
        [
            ("起草起诉状", 5, "lead"),
            ("准备证据目录及副本", 7, "assistant"),
            ("网上立案或现场立案", 10, "assistant"),
            ("缴纳诉讼费", 7, "assistant"),
        ],
    ),
    ("civil", "first_instance"): (
        "民事一审",
        [
            ("收集证据", 7, "lead"),
            ("提交证据目录", 14, "lead"),
            ("准备质证意见", 14, "lead"),
            ("起草代理词", 21, "lead"),
            ("向客户报告庭审安排", 3, "lead"),
        ],
    ),
    ("civil", "second_instance"): (
        "民事二审",
        [
            ("研究一审判决并评估上诉理由", 3, "lead"),
            ("起草上诉状或答辩状", 7, "lead"),
            ("缴纳上诉费", 7, "assistant"),
            ("准备二审新证据", 14, "lead"),
        ],
    ),
    ("civil", "enforcement"): (
        "强制执行",
        [
            ("起草强制执行申请书", 5, "lead"),
            ("调查被执行人财产线索", 10, "lead"),
            ("申请财产保全或查封", 10, "lead"),
        ],
    ),
    ("commercial_arbitration", ""): (
        "商事仲裁收案",
        [
            ("签订委托合同并收取律师费", 3, "lead"),
            ("审查仲裁条款及仲裁机构", 3, "lead"),
            ("梳理案情并制作证据清单", 7, "lead"),
        ],
    ),
    ("commercial_arbitration", "arbitration"): (
        "仲裁程序",
        [
            ("起草仲裁申请书或答辩书", 7, "lead"),
            ("选定仲裁员", 10, "lead"),
            ("提交证据材料", 14, "assistant"),
            ("准备开庭代理意见", 21, "lead"),
        ],
    ),
    ("labor_arbitration", ""): (
        "劳动仲裁收案",
        [
            ("签订委托合同并收取律师费", 3, "lead"),
            ("核实劳动仲裁时效（一年）", 2, "lead"),
            ("收集劳动合同、工资流水、社保记录", 7, "assistant"),
        ],
    ),
    ("labor_arbitration", "arbitration"): (
        "劳动仲裁程序",
        [
            ("起草仲裁申请书", 5, "lead"),
            ("提交证据清单", 10, "assistant"),
            ("准备庭审提纲", 14, "lead"),
        ],
    ),
    ("criminal", ""): (
        "刑事案件收案",
        [
            ("签订委托合同并办理委托手续", 1, "lead"),
            ("向办案机关提交委托手续", 2, "assistant"),
            ("会见犯罪嫌疑人", 2, "lead"),
        ],
    ),
    ("criminal", "investigation"): (
        "侦查阶段",
        [
            ("了解涉嫌罪名及案件情况", 3, "lead"),
            ("评估申请取保候审", 5, "lead"),
            ("提交律师意见", 14, "lead"),
        ],
    ),
    ("criminal", "prosecution_review"): (
        "审查起诉阶段",
        [
            ("阅卷并制作阅卷笔录", 7, "lead"),
            ("会见并核实证据", 10, "lead"),
            ("提交审查起诉阶段辩护意见", 14, "lead"),
        ],
    ),
    ("criminal", "first_instance"): (
        "刑事一审",
        [
            ("准备辩护词", 14, "lead"),
            ("申请证人出庭或调取证据", 7, "lead"),
            ("庭前会见被告人", 7, "lead"),
        ],
    ),
    ("administrative", ""): (
        "行政案件收案",
        [
            ("签订委托合同并收取律师费", 3, "lead"),
            ("核实起诉期限（六个月）", 2, "lead"),
            ("收集行政行为文书及证据", 7, "assistant"),
        ],
    ),
    ("administrative", "first_instance"): (
        "行政一审",
        [
            ("起草行政起诉状", 7, "lead"),
            ("提交证据目录", 14, "lead"),
            ("准备代理词", 21, "lead"),
        ],
    ),
    ("enforcement", ""): (
        "执行案件收案",
        [
            ("签订委托合同并收取律师费", 3, "lead"),
            ("核实申请执行期限（二年）", 2, "lead"),
            ("起草强制执行申请书", 5, "lead"),
            ("调查被执行人财产线索", 10, "lead"),
        ],
    ),
    ("non_litigation", ""): (
        "非诉项目启动",
        [
            ("签订委托合同并确认工作范围", 3, "lead"),
            ("制定工作计划和时间表", 5, "lead"),
            ("收集尽职调查材料清单", 7, "assistant"),
        ],
    ),
    ("counsel", ""): (
        "常年法律顾问",
        [
            ("签订常年法律顾问合同", 3, "lead"),
            ("建立客户联系人和沟通机制", 5, "lead"),
            ("梳理客户现有合同与制度", 30, "lead"),
        ],
    ),
    ("consultation", ""): (
        "法律咨询",
        [
            ("记录咨询要点并出具初步意见", 2, "lead"),
        ],
    ),
}
