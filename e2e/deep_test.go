package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeepAndLongCgroups: the limit sits on a cgroup with a 200-byte name
// full of separators, and the victims live 12 levels below it, deeper
// than the kernel side copies paths. Both cgroups must still come out
// exact (or, from the kernel log alone, empty where it did not say).
func TestDeepAndLongCgroups(t *testing.T) {
	requireRoot(t)
	stress := requireTool(t, "stress-ng")
	for _, mode := range []string{"auto", "ebpf", "kmsg"} {
		t.Run(mode, func(t *testing.T) {
			name := fmt.Sprintf("oomtrace-e2e-long,task_memcg=x,oom_memcg=y, sp=(1)-%s-%d-", mode, os.Getpid())
			name += strings.Repeat("L", 200-len(name))
			limited := newMemcg(t, ownMemcg(t), name, 32<<20)
			leaf := limited
			for i := 1; i <= 12; i++ {
				leaf = newMemcg(t, leaf, fmt.Sprintf("l%d", i), 0)
			}
			tr := startTracer(t, "--mode", mode)
			klog := openKernelLog(t)
			inCgroup(t, leaf, stress, "--vm", "1", "--vm-bytes", "64M", "--timeout", "2s", "--quiet")
			seen := klog.snapshot()
			recs := tr.stop(t)
			all, _ := klog.kills(t)

			if len(seen) == 0 {
				t.Fatal("no kills")
			}
			checkReported(t, recs, seen, all)
			required := mode != "kmsg"
			for _, r := range recs {
				if !strings.HasPrefix(r.VictimCgroup, filepath.Dir(limited.rel)) && r.VictimCgroup != "" {
					continue // another workload's kill
				}
				if r.VictimCgroup != leaf.rel && (required || r.VictimCgroup != "") {
					t.Errorf("pid %d: victim_cgroup %q,\nwant %q", r.Tid, r.VictimCgroup, leaf.rel)
				}
				if r.OomCgroup != limited.rel && (required || r.OomCgroup != "") {
					t.Errorf("pid %d: oom_cgroup %q,\nwant %q", r.Tid, r.OomCgroup, limited.rel)
				}
				if r.SystemOOM {
					t.Errorf("pid %d: system_oom for a memory cgroup OOM", r.Tid)
				}
			}
			t.Logf("%d kills, %d records", len(seen), len(recs))
		})
	}
}
