"""A teacher resolves a flagged answer in admin, in a real browser, while the student watches; the answer's
markup, and the correction's, stay text on both pages, and the correction is marked instead of a confidence."""
import re

import pytest

from tests.browser.pages import admin_log_in, assert_no_markup_ran, student_log_in
from tests.browser.seed import FLAGGED_ANSWER, FLAGGED_QUESTION, IMG_PAYLOAD, STUDENT, TEACHER

pytestmark = pytest.mark.browser

CORRECTION = f"3/4 is 6/8, and 6/8 is not 5/8. {IMG_PAYLOAD} <b>Check the numerators.</b>"


def test_teacher_claims_and_corrects_a_flagged_answer_and_the_student_sees_it(browsing, tutor_server, expect):
    seeded = tutor_server.seeded
    student = browsing.open("/")
    student_log_in(student, expect, **STUDENT)
    student.locator("#conversation").select_option(str(seeded["conversation_id"]))
    flagged_answer = student.locator("#messages li.tutor").first  # other tests may have asked here since
    expect(flagged_answer.locator("span").first).to_have_text(FLAGGED_ANSWER)
    expect(flagged_answer.locator(".confidence")).to_have_text("confidence 50%")

    teacher = browsing.open("/admin/annotation/reviewtask/")
    admin_log_in(teacher, expect, **TEACHER)
    expect(teacher).to_have_url(re.compile(r"/admin/annotation/reviewtask/$"))
    task_link = teacher.locator(f'#result_list a[href$="/reviewtask/{seeded["task_id"]}/change/"]')
    expect(task_link).to_have_text(FLAGGED_QUESTION)
    assert_no_markup_ran(teacher, browsing, teacher.locator("#content-main"))

    task_link.click()
    expect(teacher.locator(".review-answer .review-text")).to_have_text(FLAGGED_ANSWER)
    assert_no_markup_ran(teacher, browsing, teacher.locator("#content-main"))
    teacher.get_by_role("button", name="Claim: I am reviewing this answer").click()
    expect(teacher.locator(".review-facts")).to_contain_text(f"Claimed: {TEACHER['username']} is reviewing it")
    teacher.get_by_label("What the tutor should have said").fill(CORRECTION)
    teacher.get_by_role("button", name="Correct the answer").click()

    expect(teacher.locator(".messagelist")).to_contain_text("Corrected: the student now sees your answer")
    expect(task_link).to_have_count(0)  # out of the queue of open and claimed tasks
    status, corrected_text, resolved_by = tutor_server.db_row(
        "SELECT t.status, t.corrected_text, u.username FROM annotation_reviewtask t "
        "JOIN auth_user u ON u.id = t.resolved_by_id WHERE t.id = ?", seeded["task_id"])
    assert (status, corrected_text, resolved_by) == ("corrected", CORRECTION, TEACHER["username"])

    expect(flagged_answer.locator("span").first).to_have_text(CORRECTION)  # pushed to the open student page
    expect(flagged_answer.locator(".corrected")).to_have_text("corrected by your teacher")
    expect(flagged_answer.locator(".confidence")).to_have_count(0)  # the mark stands instead of the old confidence
    assert_no_markup_ran(student, browsing, student.locator("#chat"))

    student.reload()  # and the same from history
    expect(student.locator("#status")).to_have_text("online")
    student.locator("#conversation").select_option(str(seeded["conversation_id"]))
    expect(flagged_answer.locator("span").first).to_have_text(CORRECTION)
    expect(flagged_answer.locator(".corrected")).to_have_text("corrected by your teacher")
    expect(flagged_answer.locator(".confidence")).to_have_count(0)
    assert_no_markup_ran(student, browsing, student.locator("#chat"))

    teacher.goto(f"/admin/annotation/reviewtask/{seeded['task_id']}/change/")
    expect(teacher.locator(".review-facts")).to_contain_text(f"Corrected by {TEACHER['username']}")
    expect(teacher.locator("#content-main")).to_contain_text("there is nothing left to decide")
    expect(teacher.locator(".review-turn .review-text").last).to_have_text(CORRECTION)
    assert_no_markup_ran(teacher, browsing, teacher.locator("#content-main"))
