"""Reviews and client surveys for the demo firm, so the review pages, the matter page and
the dashboards show something after `make run`. Deterministic for a given seed."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from lexcase.matters.models import Matter, MatterMember, MemberRole, Status
from lexcase.reviews.models import (
    Approval,
    ApprovalKind,
    Review,
    ReviewChecklistItem,
    ReviewKind,
    ReviewStatus,
    SatisfactionSurvey,
    SurveyOccasion,
)
from lexcase.reviews.settings import cadence_days

FINDINGS = [
    "",
    "证据目录需按证明对象重新编排。",
    "举证期限已登记，但未与客户确认开庭准备安排。",
    "客户进展通报间隔偏长，下周内补发书面报告。",
    "代理词初稿质量良好。",
    "收费协议尚未回签，请跟进。",
]
COMMENTS = ["", "", "律师很专业，沟通及时。", "希望多一些书面进展说明。", "回复有时较慢。"]


def _at(day, hour: int = 17):
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.get_current_timezone())


def demo_reviews(*, seed: int = 42) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    items = list(ReviewChecklistItem.objects.filter(active=True, matter_type=""))
    partners = dict(
        MatterMember.objects.filter(role=MemberRole.RESPONSIBLE_PARTNER).values_list(
            "matter_id", "user_id"
        )
    )
    reviews: list[Review] = []
    surveys: list[SatisfactionSurvey] = []

    def done(matter: Matter, kind: str, day, **extra) -> Review:
        score = rng.choices([1, 2, 3, 4, 5], weights=[2, 6, 20, 42, 30])[0]
        return Review(
            matter=matter,
            kind=kind,
            status=ReviewStatus.DONE,
            due_on=day,
            reviewer_id=partners.get(matter.pk),
            completed_by_id=partners.get(matter.pk),
            completed_at=_at(day),
            score=score,
            findings=rng.choice(FINDINGS) if score < 5 else "",
            checklist={
                i.code: {"label": i.label, "auto": None, "ok": rng.random() < 0.85} for i in items
            },
            **extra,
        )

    staged_late = False
    for matter in (
        Matter.objects.exclude(status=Status.INTAKE).exclude(opened_on=None).order_by("pk")
    ):
        opened = matter.opened_on
        if opened is None:  # excluded by the query
            continue
        cadence = cadence_days(matter.priority)
        end = min(matter.closed_on or today, today)
        day = opened + timedelta(days=cadence)
        history = 0
        while day <= end and history < 4:
            reviews.append(done(matter, ReviewKind.PERIODIC, day))
            history += 1
            day += timedelta(days=cadence)
        if matter.status == Status.OPEN:
            # The next review falls due in the coming days or weeks; only the first open
            # matter's is staged as late, so the reviewer's agenda and the escalation show
            # one (the demo's first morning is not a wall of late reviews).
            late = not staged_late
            staged_late = True
            if late:
                due = today - timedelta(days=3)
            else:
                due = day if day > today else today + timedelta(days=rng.randint(1, cadence))
            reviews.append(
                Review(
                    matter=matter,
                    kind=ReviewKind.PERIODIC,
                    due_on=due,
                    reviewer_id=partners.get(matter.pk),
                    escalated_at=_at(due + timedelta(days=1), 9) if late else None,
                )
            )
        elif matter.closed_on is not None:
            closed_on = min(matter.closed_on, today)
            reviews.append(done(matter, ReviewKind.CLOSING, closed_on - timedelta(days=2)))
            if rng.random() < 0.6:
                overall = rng.choices([1, 2, 3, 4, 5], weights=[3, 5, 15, 40, 37])[0]
                surveys.append(
                    SatisfactionSurvey(
                        matter=matter,
                        occasion=SurveyOccasion.CLOSING,
                        overall=overall,
                        responsiveness=max(1, min(5, overall + rng.choice([-1, 0, 0, 1]))),
                        clarity=max(1, min(5, overall + rng.choice([-1, 0, 1]))),
                        comment=rng.choice(COMMENTS),
                        created_at=_at(closed_on, 20),
                    )
                )
    Review.objects.bulk_create(reviews, batch_size=2000)
    # The survey's date is when the client answered (the day the matter closed), so
    # auto_now_add is set aside while the rows are written.
    created_field = SatisfactionSurvey._meta.get_field("created_at")
    created_field.auto_now_add = False
    try:
        SatisfactionSurvey.objects.bulk_create(surveys, batch_size=2000)
    finally:
        created_field.auto_now_add = True
    # A few closed matters wait for their responsible partner's archiving approval (归档审批).
    leads = dict(
        MatterMember.objects.filter(role=MemberRole.LEAD).values_list("matter_id", "user_id")
    )
    waiting = Matter.objects.filter(status=Status.CLOSED).order_by("-closed_on", "id")[:5]
    Approval.objects.bulk_create(
        [
            Approval(
                kind=ApprovalKind.ARCHIVE,
                matter=matter,
                purpose="卷宗已整理完毕，申请归档。",
                requester_id=leads.get(matter.pk),
                approver_id=partners.get(matter.pk),
            )
            for matter in waiting
        ]
    )
    return {"reviews": len(reviews), "surveys": len(surveys)}
