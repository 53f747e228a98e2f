"""The kiosk agent: camera, detection, tracking, distance zones, the greeting, speech and visit events."""
