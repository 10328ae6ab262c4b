"""Pure business rules of the regulation: no Flask, no SQLAlchemy session, no view code."""
