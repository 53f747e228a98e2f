# Kiosk agent (camera greeter): the demo video `make run` plays when no camera is
# configured, a target to run the agent alone, its tests and its benchmarks.
AGENT_DEMO_VIDEO := var/demo/walk-in.mp4

.PHONY: demo-video agent test-agent bench-agent

demo-video: $(AGENT_DEMO_VIDEO)

$(AGENT_DEMO_VIDEO): kiosk/agent/demo.py | venv
	@scripts/step.sh "demo video for the camera agent: $@" $(VENV)/bin/python -m kiosk.agent.demo --out $@

run-prepare:: $(AGENT_DEMO_VIDEO)

# With no KIOSK_AGENT_CAPTURE__SOURCE the agent plays the demo video, looping.
agent: venv system-deps $(AGENT_DEMO_VIDEO)
	$(VENV)/bin/python -m kiosk agent --loop

test-agent: venv system-deps
	$(VENV)/bin/python -m pytest tests/agent $(PYTEST_ARGS)

# One core, as on a kiosk box; prints figures, asserts nothing.
bench-agent: venv system-deps $(AGENT_DEMO_VIDEO)
	taskset -c 0 $(VENV)/bin/python bench/agent_frames.py --video $(AGENT_DEMO_VIDEO)
	taskset -c 0 $(VENV)/bin/python bench/agent_latency.py --video $(AGENT_DEMO_VIDEO)
