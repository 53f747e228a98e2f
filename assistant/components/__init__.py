"""Custom NLU components for the assistant's pipeline."""
