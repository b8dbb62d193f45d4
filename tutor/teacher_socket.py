"""The teachers' socket: the admin's drafts page listens here for drafts held and decided in the courses the
user teaches (tutor.drafts sends ``drafts_changed`` frames to each course's ``teachers_group``). It takes no
client frames. Anyone who teaches no course (students, authors) is refused at the handshake, like an anonymous
visitor; the course list is read once, when the socket opens."""
from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from learning.mastery import courses_for_teacher
from tutor.auth import handshake_user
from tutor.dbcall import db_sync_to_async
from tutor.groups import teachers_group
from tutor.protocol import error_frame


def _taught_course_ids(user) -> list[int]:
    return list(courses_for_teacher(user=user).values_list("id", flat=True))


class TeachersConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = handshake_user(self.scope)
        courses = await db_sync_to_async(_taught_course_ids)(user) if user is not None and user.is_staff else []
        if not courses:
            await self.close(code=4403)
            return
        self.groups_joined = [teachers_group(course_id) for course_id in courses]
        await self.accept()
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = error_frame("no_client_frames", "This socket only sends; it takes no frames.")
        await self.send(text_data=json.dumps(frame))

    async def tutor_frame(self, event):
        await self.send(text_data=json.dumps(event["frame"], ensure_ascii=False))
