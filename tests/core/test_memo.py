"""core.memo: what pages show from rarely changing rows, read once a period per process."""

from core import memo
from core.memo import ProcessMemo


def test_a_value_is_computed_once_a_period_and_then_read_again(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock[0])
    kept = ProcessMemo(seconds=60)
    reads = []

    def read():
        reads.append(clock[0])
        return len(reads)

    assert kept.get("k", read) == 1
    clock[0] += 59.9
    assert kept.get("k", read) == 1
    assert kept.get("other", read) == 2  # each key its own value
    clock[0] = 1060.5  # 60.5 s after the first read
    assert kept.get("k", read) == 3
    assert reads == [1000.0, 1059.9, 1060.5]


def test_forget_all_empties_every_memo():
    first, second = ProcessMemo(seconds=60), ProcessMemo(seconds=60)
    first.get("k", lambda: "old")
    second.get("k", lambda: "old")
    ProcessMemo.forget_all()
    assert first.get("k", lambda: "new") == "new"
    assert second.get("k", lambda: "new") == "new"
