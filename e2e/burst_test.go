package e2e

import (
	"fmt"
	"os"
	"slices"
	"testing"
)

// TestBurst compares every kill of a stress-ng burst with the kernel's own
// count and log, in each mode and each probe variant.
func TestBurst(t *testing.T) {
	requireRoot(t)
	stress := requireTool(t, "stress-ng")
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
			klog := openKernelLog(t)
			before, machineBefore := c.oomKills(t), machineOomKills(t)
			inCgroup(t, c, stress, "--vm", "2", "--vm-bytes", "64M", "--timeout", "5s", "--quiet")
			counted := c.oomKills(t) - before
			machine := machineOomKills(t) - machineBefore
			seen := klog.snapshot()
			recs := tr.stop(t)
			all, _ := klog.kills(t)

			if counted < 20 {
				t.Fatalf("burst caused only %d kills; the test needs a burst", counted)
			}
			if len(all) < machine {
				t.Fatalf("kernel counted %d kills machine-wide but logged %d", machine, len(all))
			}
			checkReported(t, recs, seen, all)
			ours := checkCgroups(t, recs, c, counted == machine, tc.ebpf, tc.cgroups)
			if tc.cgroups && ours != counted {
				t.Errorf("%d records name the test cgroup, the kernel counted %d kills in it",
					ours, counted)
			}
			t.Logf("%d kills in the test cgroup, %d machine-wide, %d records, %d naming the test cgroup",
				counted, machine, len(recs), ours)
		})
	}
}

// checkReported wants every kill in mustHave reported, each record to be a
// kill in mayHave (the kernel's kills while oomtrace may still have been
// running), and no kill twice. Without another workload killing on the
// machine the two lists are equal and this is "exactly the kernel's kills".
func checkReported(t *testing.T, recs []record, mustHave, mayHave []int) {
	t.Helper()
	seen := map[int]int{}
	for _, r := range recs {
		seen[r.Tid]++
		if seen[r.Tid] == 2 {
			t.Errorf("pid %d reported twice", r.Tid)
		}
		if !slices.Contains(mayHave, r.Tid) {
			t.Errorf("pid %d reported, but the kernel never logged its kill", r.Tid)
		}
	}
	missing := 0
	for _, pid := range mustHave {
		if seen[pid] == 0 {
			missing++
			t.Errorf("kill of %d not reported", pid)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d kills not reported", missing, len(mustHave))
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

// checkCgroups wants every record of a kill in c to name c or, where the
// source could not know, nothing; never another cgroup. With onlyOurs the
// kernel counted no kill elsewhere, so every record is one of c's; else
// records naming another cgroup are another workload's and are skipped. It
// returns how many records name c as the victim's cgroup.
func checkCgroups(t *testing.T, recs []record, c memcg, onlyOurs, ebpf, required bool) (named int) {
	t.Helper()
	for _, r := range recs {
		foreign := (r.VictimCgroup != "" && r.VictimCgroup != c.rel) ||
			(r.OomCgroup != "" && r.OomCgroup != c.rel)
		if foreign && !onlyOurs {
			if r.OomCgroup == c.rel || r.VictimCgroup == c.rel {
				t.Errorf("pid %d: victim_cgroup %q oom_cgroup %q: half in the test cgroup",
					r.Tid, r.VictimCgroup, r.OomCgroup)
			}
			continue
		}
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
		if r.VictimCgroup == c.rel {
			named++
		}
	}
	return named
}
