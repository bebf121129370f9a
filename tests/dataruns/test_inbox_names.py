"""A set's file names as other systems write them: in upper case (a mainframe's CLIENTS_….CSV), in
mixed case, with the manifest naming them in another case than the files carry. The set is taken
as the lower-case set is, and archived under the names it came with."""

import json

import pytest

from clients.models import Balance
from dataruns.models import IntakeRun
from programme.services import inbox_night
from tests.dataruns.conftest import D2, drop_set, inbox

CASES = {
    "upper files, upper manifest": (str.upper, str.upper),
    "upper files, lower manifest": (str.upper, str.lower),
    "lower files, upper manifest": (str.lower, str.upper),
    "title files": (str.title, str.title),
    "upper extension only": (lambda n: n.replace(".csv", ".CSV").replace(".json", ".JSON"), str),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_set_named_in_another_case_is_taken(night, case):
    file_name, manifest_name = CASES[case]
    paths = drop_set(D2)
    manifest = json.loads(paths["manifest"].read_text())
    for entry in manifest["files"]:
        entry["name"] = manifest_name(entry["name"])
    paths["manifest"].write_text(json.dumps(manifest))
    for path in paths.values():
        path.rename(path.with_name(file_name(path.name)))

    result = inbox_night(check_late=False)

    assert result["imported"] == [D2.isoformat()], result
    assert IntakeRun.objects.get(business_date=D2).files.filter(ok=True).count() == 3
    assert Balance.objects.filter(as_of=D2).exists()
    archived = sorted(p.name for p in (inbox() / "archive" / "20261119").iterdir())
    assert archived == sorted(file_name(p.name) for p in paths.values())
