from celery import shared_task

from learning.calibrating import course_calibrate, courses_due_for_calibration


@shared_task(name="learning.calibrate_course", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def calibrate_course(course_id: int) -> dict | None:
    report = course_calibrate(course_id=course_id)
    return report.as_dict() if report else None


@shared_task(name="learning.calibrate_due_courses")
def calibrate_due_courses() -> list[int]:
    """Queue a calibration of every course with enough new attempts (run by beat)."""
    due = courses_due_for_calibration()
    for course_id in due:
        calibrate_course.delay(course_id)
    return due
