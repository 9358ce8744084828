package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the oomtrace built for this test run.
var binary string

func TestMain(m *testing.M) {
	if helper := os.Getenv(helperEnv); helper != "" {
		os.Exit(runHelper(helper))
	}
	dir, err := os.MkdirTemp("", "oomtrace-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "oomtrace")
	build := exec.Command("go", "build", "-o", binary, "../cmd/oomtrace")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build oomtrace:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireRoot skips where the test cannot run; CI is root, so there the
// tests run.
func requireRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test with real OOM kills; skipped by -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to load eBPF, create memory cgroups and read /dev/kmsg; CI runs as root")
	}
}

// requireTool skips where a tool is missing, but fails in CI, whose script
// installs it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not installed, and CI must install it (.ci/run)", name)
	}
	t.Skipf("needs %s (apt-get install %s)", name, name)
	return ""
}
