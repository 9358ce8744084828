package e2e

import (
	"fmt"
	"os"
	"slices"
	"testing"
)

// burst runs stress-ng in a 32 MiB cgroup for seconds and returns the
// kernel's count of kills and the pids of its "Killed process" lines.
func burst(t *testing.T, c memcg, seconds int) (counted int, logged []int) {
	t.Helper()
	klog := openKernelLog(t)
	before := c.oomKills(t)
	inCgroup(t, c, requireTool(t, "stress-ng"), "--vm", "2", "--vm-bytes", "64M",
		"--timeout", fmt.Sprintf("%ds", seconds), "--quiet")
	logged, _ = klog.kills(t)
	return c.oomKills(t) - before, logged
}

// TestBurst compares every kill of a stress-ng burst with the kernel's own
// count and log, in each mode and each probe variant.
func TestBurst(t *testing.T) {
	requireRoot(t)
	requireTool(t, "stress-ng")
	cases := []struct {
		name    string
		args    []string
		ebpf    bool // records must come from eBPF
		cgroups bool // both cgroups must be present on every record
	}{
		{"auto", []string{"--mode", "auto"}, true, true},
		{"ebpf", []string{"--mode", "ebpf"}, true, true},
		{"ebpf-kfunc", []string{"--mode", "ebpf", "--probe-variant", "tracepoint+kfunc"}, true, true},
		{"ebpf-pid", []string{"--mode", "ebpf", "--probe-variant", "tracepoint+pid"}, true, false},
		{"kmsg", []string{"--mode", "kmsg"}, false, false},
	}
	own := ownMemcg(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newMemcg(t, own, fmt.Sprintf("oomtrace-e2e-burst-%s-%d", tc.name, os.Getpid()), 32<<20)
			tr := startTracer(t, tc.args...)
			counted, logged := burst(t, c, 5)
			recs := tr.stop(t)

			if counted < 20 {
				t.Fatalf("burst caused only %d kills; the test needs a burst", counted)
			}
			if len(logged) != counted {
				t.Fatalf("kernel counted %d kills but logged %d", counted, len(logged))
			}
			checkExactlyOnce(t, recs, logged)
			named := checkCgroups(t, recs, c, tc.ebpf, tc.cgroups)
			t.Logf("%d kills, %d records, %d with both cgroups named", counted, len(recs), named)
		})
	}
}

// checkExactlyOnce wants one record per killed pid and nothing else.
func checkExactlyOnce(t *testing.T, recs []record, killed []int) {
	t.Helper()
	var got []int
	for _, r := range recs {
		got = append(got, r.Tid)
	}
	slices.Sort(got)
	want := slices.Clone(killed)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("reported tids differ from the kernel's kills\n got %d: %v\nwant %d: %v",
			len(got), got, len(want), want)
	}
}

// checkCgroups wants every record to name the test cgroup or, where the
// source could not know, nothing; never another cgroup.
func checkCgroups(t *testing.T, recs []record, c memcg, ebpf, required bool) (named int) {
	t.Helper()
	for _, r := range recs {
		if ebpf && !slices.Contains(r.Sources, "ebpf") {
			t.Errorf("pid %d: sources %v lack ebpf", r.Tid, r.Sources)
		}
		if r.VictimCgroup != c.rel && (required || r.VictimCgroup != "") {
			t.Errorf("pid %d: victim_cgroup %q, want %q", r.Tid, r.VictimCgroup, c.rel)
		}
		if r.OomCgroup != c.rel && (required || r.OomCgroup != "") {
			t.Errorf("pid %d: oom_cgroup %q, want %q", r.Tid, r.OomCgroup, c.rel)
		}
		if r.Constraint != "CONSTRAINT_MEMCG" && (required || r.Constraint != "") {
			t.Errorf("pid %d: constraint %q, want CONSTRAINT_MEMCG", r.Tid, r.Constraint)
		}
		if r.SystemOOM {
			t.Errorf("pid %d: system_oom true for a memory cgroup OOM", r.Tid)
		}
		if r.VictimCgroup != "" && r.OomCgroup != "" {
			named++
		}
	}
	return named
}
