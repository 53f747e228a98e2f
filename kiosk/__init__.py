"""Service-hall greeter and triage kiosk: hall server, kiosk agent and staff pages."""
