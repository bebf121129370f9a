"""The approvals app has no scheduled work: a proposal waits for a person, and its age is shown
on the supervisors' homes when the page is read."""
