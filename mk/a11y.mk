# axe-core for the accessibility checks of the page tests (tests/support/axe.py), from the
# npm registry: package-lock.json pins it with its integrity hash, `npm ci` installs exactly that
# into node_modules/. The tests put it into the pages from there, never from a CDN.
NPM_STAMP := node_modules/.package-lock.json

.PHONY: axe
axe: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node 20) is needed: scripts/system-deps.sh"; exit 1; }
	@scripts/step.sh "axe-core from package-lock.json: npm ci" npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

test-prepare:: $(NPM_STAMP)
