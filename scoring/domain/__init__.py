"""Review and scoring rules: one function per action, raising common.errors exceptions.

- grid: the campaign's scoring grid (default criteria: the four analysis bases and five guiding principles),
  editable by the administrator until the first review is submitted;
- assignments: assign / unassign reviewers, declare conflicts of interest;
- reviews: save (draft or submit) one's own review, who may read which review;
- aggregate: per-dossier aggregate and the campaign ranking;
- comments: internal staff comments (never shown to the applicant)."""
