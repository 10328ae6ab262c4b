"""Use cases: load rows, apply domain rules, check the actor's scope, commit once."""
