// Package e2e runs the oomtrace binary against the real kernel: it builds
// it, creates memory cgroups below the test's own, provokes OOM kills in
// them with stress-ng and compares oomtrace's JSON lines with what the
// kernel itself counted and logged. The tests need root (CI runs as root)
// and stress-ng; they never cause an OOM outside the cgroups they create.
package e2e
