# The two commands a newcomer needs: `make demo` (the quickstart through a real ccengine) and
# `make test` (every test). Both install the Debian packages they need when missing.
SWIFT ?= swift
APT_PACKAGES := libosip2-dev libortp-dev libpcap-dev libsqlite3-dev pkg-config sip-tester tshark sipsak baresip-core kamailio chromium chromium-driver prometheus openssl sox espeak-ng
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test release bench clean install

# `make install PREFIX=/usr/local [DESTDIR=...]`: the three programs, the agent page and
# wallboard (share/ccengine/web, where ccengine finds them), the example configuration and the
# systemd unit. CONFIG=debug installs the debug build; BIN=DIR installs programs already built
# there without building (the tests use it).
PREFIX ?= /usr/local
CONFIG ?= release

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

install:
	$(if $(BIN),,$(SWIFT) build -c $(CONFIG) $(if $(filter release,$(CONFIG)),--scratch-path .build-release,))
	@bin=$(if $(BIN),$(BIN),$$($(SWIFT) build -c $(CONFIG) $(if $(filter release,$(CONFIG)),--scratch-path .build-release,) --show-bin-path)); \
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ccengine/web $(DESTDIR)$(PREFIX)/share/ccengine/prompts $(DESTDIR)$(PREFIX)/lib/systemd/system; \
	install -m 755 $$bin/ccengine $$bin/ccsim $$bin/ccbench $(DESTDIR)$(PREFIX)/bin/; \
	cp -R Web/. $(DESTDIR)$(PREFIX)/share/ccengine/web/; \
	install -m 644 Prompts/*.wav $(DESTDIR)$(PREFIX)/share/ccengine/prompts/; \
	install -m 644 Scenarios/engine.yaml $(DESTDIR)$(PREFIX)/share/ccengine/engine.yaml; \
	install -m 644 docs/openapi.yaml $(DESTDIR)$(PREFIX)/share/ccengine/openapi.yaml; \
	sed 's|/usr/local|$(PREFIX)|g' packaging/ccengine.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/ccengine.service; \
	echo "installed under $(DESTDIR)$(PREFIX)"
