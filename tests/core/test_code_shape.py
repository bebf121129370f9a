"""Issue 15's shape check (scripts/check_shape.py, run by .ci/run): it names a function over 60
lines and an app file over 500 lines, lets only the listed SQL-text functions be longer, and the
apps as they are pass it."""

from scripts import check_shape


def _function(name: str, lines: int) -> str:
    """A function of exactly ``lines`` lines, ``def`` line included."""
    return f"def {name}():\n" + "    x = 1\n" * (lines - 1)


def _write(root, relative: str, text: str):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_function_of_61_lines_is_named_and_one_of_60_is_not(tmp_path):
    path = _write(tmp_path, "feedback/long.py", _function("fits", 60) + _function("too_long", 61))
    assert check_shape.offences(path, root=tmp_path) == [
        "feedback/long.py:61: too_long() of 61 lines (at most 60)"
    ]


def test_a_file_of_501_lines_is_named_and_one_of_500_is_not(tmp_path):
    fits = _write(tmp_path, "core/fits.py", "x = 1\n" * 500)
    too_long = _write(tmp_path, "core/big.py", "x = 1\n" * 501)
    assert check_shape.offences(fits, root=tmp_path) == []
    assert check_shape.offences(too_long, root=tmp_path) == [
        "core/big.py: file of 501 lines (at most 500)"
    ]


def test_only_a_listed_sql_text_function_may_be_longer(tmp_path):
    listed = next(iter(check_shape.SQL_TEXT))
    relative, name = listed.split(":")
    path = _write(tmp_path, relative, _function(name, 90) + _function("other", 61))
    assert check_shape.offences(path, root=tmp_path) == [
        f"{relative}:91: other() of 61 lines (at most 60)"
    ]


def test_migrations_are_not_checked_and_every_app_file_is():
    files = {path.relative_to(check_shape.ROOT).as_posix() for path in check_shape.app_files()}
    assert "feedback/services/escalation.py" in files
    assert "clients/qualification/sql.py" in files
    assert not any("/migrations/" in name for name in files)


def test_the_apps_keep_their_shape(capsys):
    assert check_shape.main() == 0, capsys.readouterr().out
