# oomtrace build, test and install.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(DESTDIR)$(PREFIX)/bin
UNITDIR ?= $(DESTDIR)/etc/systemd/system
GO ?= go
GOFLAGS_BUILD := -trimpath -ldflags "-s -w"

.PHONY: build test test-unit generate check-generate install uninstall fuzz clean

build:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -o oomtrace ./cmd/oomtrace

# Everything, including the root end-to-end tests with real OOM kills.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./internal/kmsg

test-unit:
	$(GO) test -count=1 -short ./...

# Rebuild the committed eBPF object and Go bindings (Debian: clang, libbpf-dev).
generate:
	cd internal/probe && $(GO) generate ./...

# Fails when the committed eBPF output differs from what the sources give.
check-generate: generate
	git diff --exit-code -- internal/probe/

install: build
	install -D -m 0755 oomtrace $(BINDIR)/oomtrace
	install -D -m 0644 packaging/oomtrace.service $(UNITDIR)/oomtrace.service
	sed -i 's|/usr/local/bin/oomtrace|$(PREFIX)/bin/oomtrace|' $(UNITDIR)/oomtrace.service
	install -D -m 0644 packaging/oomtrace.logrotate $(DESTDIR)/etc/logrotate.d/oomtrace

uninstall:
	rm -f $(BINDIR)/oomtrace $(UNITDIR)/oomtrace.service $(DESTDIR)/etc/logrotate.d/oomtrace

clean:
	rm -f oomtrace
