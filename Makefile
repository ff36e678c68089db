# The two commands a newcomer needs: `make demo` (the quickstart through a real ccengine) and
# `make test` (every test). Both install the Debian packages they need when missing.
SWIFT ?= swift
APT_PACKAGES := libosip2-dev libortp-dev libpcap-dev libsqlite3-dev pkg-config sip-tester tshark sipsak baresip-core chromium chromium-driver prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test release bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@# schemathesis (PyPI) checks docs/openapi.yaml against a running engine in `make test`.
	@test -x .build/venv/bin/schemathesis || { mkdir -p .build && python3 -m venv .build/venv && .build/venv/bin/pip install -q schemathesis; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: build
	@mkdir -p Reports
	.build/debug/ccsim run Scenarios/quickstart.yaml --pcap Reports/quickstart.pcap
	@echo "--- tshark -r Reports/quickstart.pcap -q -z rtp,streams"
	@tshark -r Reports/quickstart.pcap -q -z rtp,streams 2>/dev/null

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build Reports/*-2*
