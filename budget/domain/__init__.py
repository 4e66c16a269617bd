"""The budget's commands: one module per action (envelopes, proposals, decisions,
delegations); the read model is budget.queries."""
