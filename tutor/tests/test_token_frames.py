"""TokenFrames: an answer's pieces sent as at most one frame per interval, in order, none lost."""
import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.token_frames import TokenFrames


class Recorder:
    def __init__(self, send_delay_s: float = 0.0):
        self.frames: list[tuple[float, str]] = []
        self.send_delay_s = send_delay_s
        self.sending = 0
        self.overlapped = False

    async def send(self, text: str) -> None:
        self.sending += 1
        self.overlapped |= self.sending > 1
        await asyncio.sleep(self.send_delay_s)
        self.frames.append((asyncio.get_running_loop().time(), text))
        self.sending -= 1

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.frames]


async def test_the_first_piece_goes_out_at_once():
    recorder = Recorder()
    async with TokenFrames(recorder.send, 10.0) as frames:
        await frames.push("Hello")
        assert recorder.texts == ["Hello"]


async def test_pieces_within_an_interval_go_out_together_and_what_is_left_on_closing():
    recorder = Recorder()
    async with TokenFrames(recorder.send, 10.0) as frames:
        for piece in ["A", " fraction", " is", " a", " part"]:
            await frames.push(piece)
        assert recorder.texts == ["A"]  # the rest waits for the interval, or for the block to end
    assert recorder.texts == ["A", " fraction is a part"]


async def until(condition, timeout_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


class GatedRecorder(Recorder):
    """Each send waits until the test opens the gate, so a frame can be held "on its way"."""

    def __init__(self):
        super().__init__()
        self.gate = asyncio.Event()
        self.started: list[str] = []

    async def send(self, text: str) -> None:
        self.started.append(text)
        if len(self.started) > 1:
            await self.gate.wait()
        await super().send(text)


async def test_a_piece_is_sent_when_its_interval_ends_even_if_nothing_follows():
    recorder = Recorder()
    frames = TokenFrames(recorder.send, 0.05)
    await frames.push("one")
    await frames.push(" two")
    await until(lambda: len(recorder.frames) == 2)
    assert recorder.texts == ["one", " two"]
    assert recorder.frames[1][0] - recorder.frames[0][0] >= 0.045
    await frames.close()
    assert recorder.texts == ["one", " two"]


async def test_pieces_pushed_while_a_frame_is_on_its_way_follow_it():
    recorder = GatedRecorder()
    frames = TokenFrames(recorder.send, 0.01)
    await frames.push("a")
    await frames.push("b")
    await until(lambda: recorder.started == ["a", "b"])  # "b" is on its way, held at the gate
    await frames.push("c")
    recorder.gate.set()
    await until(lambda: len(recorder.frames) == 3)
    assert recorder.texts == ["a", "b", "c"] and not recorder.overlapped
    await frames.close()


async def test_closing_waits_for_a_frame_on_its_way_and_keeps_the_order():
    recorder = GatedRecorder()
    frames = TokenFrames(recorder.send, 0.01)
    await frames.push("a")
    await frames.push("b")
    await until(lambda: recorder.started == ["a", "b"])
    await frames.push("c")
    closing = asyncio.create_task(frames.close())
    await asyncio.sleep(0.02)
    assert not closing.done() and recorder.texts == ["a"]
    recorder.gate.set()
    await closing
    assert recorder.texts == ["a", "b", "c"] and not recorder.overlapped


async def test_an_interval_of_zero_sends_every_piece():
    recorder = Recorder()
    async with TokenFrames(recorder.send, 0.0) as frames:
        for piece in "abc":
            await frames.push(piece)
    assert recorder.texts == ["a", "b", "c"]


async def test_empty_pieces_send_nothing():
    recorder = Recorder()
    async with TokenFrames(recorder.send, 0.0) as frames:
        await frames.push("")
    assert recorder.frames == []


@settings(max_examples=40, deadline=None)
@given(pieces=st.lists(st.tuples(st.text(min_size=1, max_size=4), st.sampled_from([0.0, 0.0, 0.002, 0.006])),
                       max_size=25),
       interval_ms=st.sampled_from([0, 1, 3, 50]))
def test_the_frames_concatenate_to_the_pieces_whatever_the_timing(pieces, interval_ms):
    async def run() -> list[str]:
        recorder = Recorder(send_delay_s=0.001)
        async with TokenFrames(recorder.send, interval_ms / 1000) as frames:
            for text, pause in pieces:
                await frames.push(text)
                await asyncio.sleep(pause)
        assert not recorder.overlapped
        return recorder.texts

    texts = asyncio.run(run())
    assert "".join(texts) == "".join(text for text, _ in pieces)
    assert all(texts)
    if interval_ms == 0:
        assert texts == [text for text, _ in pieces]


@pytest.mark.parametrize("interval_s", [0.0, 0.05])
async def test_at_most_one_frame_per_interval_after_the_first(interval_s):
    recorder = Recorder()
    started = asyncio.get_running_loop().time()
    async with TokenFrames(recorder.send, interval_s) as frames:
        for _ in range(40):
            await frames.push("x")
            await asyncio.sleep(0.005)
    elapsed = asyncio.get_running_loop().time() - started
    times = [at for at, _ in recorder.frames]
    gaps = [later - earlier for earlier, later in zip(times, times[1:-1])]  # the last one is the closing flush
    assert all(gap >= interval_s * 0.9 for gap in gaps)
    assert "".join(recorder.texts) == "x" * 40
    if interval_s:
        assert len(recorder.frames) <= 2 + elapsed / interval_s
    else:
        assert len(recorder.frames) == 40
