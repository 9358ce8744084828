# oomtrace build, test and install.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(DESTDIR)$(PREFIX)/bin
UNITDIR ?= $(DESTDIR)/etc/systemd/system
GO ?= go
GOFLAGS_BUILD := -trimpath -ldflags "-s -w"

.PHONY: build test test-unit generate check-generate install uninstall fuzz clean vm-test \
	vm-systemd-test

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

# Builds first when a go command is present; without one (a VM or host
# without Go) it installs the ./oomtrace already built, and fails if none.
install:
	@if command -v $(GO) >/dev/null 2>&1; then $(MAKE) --no-print-directory build; \
	elif [ -x oomtrace ]; then echo "no $(GO) command: installing the existing ./oomtrace"; \
	else echo "no $(GO) command and no ./oomtrace: run make build elsewhere first" >&2; exit 1; fi
	install -D -m 0755 oomtrace $(BINDIR)/oomtrace
	install -D -m 0644 packaging/oomtrace.service $(UNITDIR)/oomtrace.service
	sed -i 's|/usr/local/bin/oomtrace|$(PREFIX)/bin/oomtrace|' $(UNITDIR)/oomtrace.service
	install -D -m 0644 packaging/oomtrace.logrotate $(DESTDIR)/etc/logrotate.d/oomtrace

uninstall:
	rm -f $(BINDIR)/oomtrace $(UNITDIR)/oomtrace.service $(DESTDIR)/etc/logrotate.d/oomtrace

# Boot a Debian 12 VM with systemd under qemu (debootstrap at test time,
# into .vm/systemd) and test the installed service there (root).
vm-systemd-test: build
	test/vm-systemd/run.sh

.PHONY: bench
# Benchmarks against cAdvisor's oomparser and bpftrace (root, Debian; about
# 5-10 minutes): installs the tools, regenerates BENCHMARKS.md. bench/ is its
# own Go module, so cAdvisor stays out of the product's go.mod.
bench:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=300 stress-ng bpftrace bpfcc-tools bpftool
	cd bench && $(GO) run . -out ../BENCHMARKS.md

# Kernel matrix: Debian 5.10, 6.1 (cgroup v2 and v1) and 6.12 under qemu,
# OOM scenarios in each, a table of the results (root; see test/vm/run.sh).
vm-test:
	test/vm/run.sh

clean:
	rm -f oomtrace
