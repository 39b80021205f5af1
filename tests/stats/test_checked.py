"""The relay's checked entries, handed to the intake of its process once, and only for a few seconds."""

import threading
import time

from stats.checked import Checked
from stats.frame_checks import Refusal

FRAME = {"type": "stats", "host": "edge-1", "ts": 100.0}


def test_it_hands_an_entrys_result_over_once():
    checked = Checked()
    checked.put("edge-1", "1-0", (FRAME, None), now=100.0)
    assert checked.take("edge-1", "1-0") == (FRAME, None)
    assert checked.take("edge-1", "1-0") is None  # then the intake checks it itself


def test_a_refusal_is_handed_over_too():
    checked = Checked()
    refusal = Refusal("ts_ahead", "ts=1e15")
    checked.put("edge-1", "1-0", (None, refusal), now=100.0)
    assert checked.take("edge-1", "1-0") == (None, refusal)
    assert checked.take("edge-2", "1-0") is None  # another agent's entry of the same id


def test_what_is_not_taken_in_time_is_dropped():
    checked = Checked(keep_s=3.0)
    checked.put("edge-1", "1-0", (FRAME, None), now=100.0)
    checked.put("edge-1", "2-0", (FRAME, None), now=102.0)
    checked.put("edge-1", "3-0", (FRAME, None), now=103.5)
    assert checked.take("edge-1", "1-0") is None
    assert checked.take("edge-1", "2-0") == (FRAME, None)
    assert len(checked) == 1


def test_it_holds_at_most_its_count_whatever_the_rate():
    checked = Checked(max_kept=2)
    for n in range(5):
        checked.put("edge-1", f"{n}-0", (FRAME, None), now=100.0)
    assert len(checked) == 2
    assert checked.take("edge-1", "4-0") == (FRAME, None)


def test_the_intake_may_wait_for_the_relays_result_of_an_entry_it_read_first():
    checked, taken = Checked(), []
    waiting = threading.Thread(target=lambda: taken.append(checked.take("edge-1", "1-0", until=time.monotonic() + 60)))
    waiting.start()
    checked.put("edge-1", "1-0", (FRAME, None), now=100.0)
    waiting.join()
    assert taken == [(FRAME, None)]


def test_it_waits_no_longer_than_asked():
    assert Checked().take("edge-1", "1-0", until=time.monotonic()) is None  # the intake checks it itself
