"""Reusable display pieces; they post messages and never call the domain layer."""
