"""The kiosk's triage assistant: Rasa configuration, custom components and actions."""
