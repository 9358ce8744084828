package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCrossCgroup: the limit sits on a parent; a large idle process lives in
// child a, an allocating one in child b. The kernel kills the process in a
// for b's allocation: victim_cgroup must be a, oom_cgroup the parent, and
// the trigger the allocator.
func TestCrossCgroup(t *testing.T) {
	requireRoot(t)
	// Let the kernel's OOM report rate limit (10 per 5 s) recover from
	// earlier bursts, so that the kernel log names the cgroups here.
	time.Sleep(6 * time.Second)
	for _, mode := range []string{"auto", "ebpf", "kmsg"} {
		t.Run(mode, func(t *testing.T) {
			own := ownMemcg(t)
			parent := newMemcg(t, own, fmt.Sprintf("oomtrace-e2e-cross-%s-%d", mode, os.Getpid()), 96<<20)
			a := newMemcg(t, parent, "a", 0)
			b := newMemcg(t, parent, "b", 0)
			tr := startTracer(t, "--mode", mode)
			klog := openKernelLog(t)

			hog := startInCgroup(t, a, "hog:64")
			allocator := startInCgroup(t, b, "alloc:64")
			if err := allocator.Wait(); err != nil {
				t.Fatalf("allocator did not finish: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
			logged, summaries := klog.kills(t)
			recs := tr.stop(t)

			if len(logged) != 1 || logged[0] != hog.Process.Pid {
				t.Fatalf("kernel killed %v, want only the hog %d", logged, hog.Process.Pid)
			}
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1: %+v", len(recs), recs)
			}
			r := recs[0]
			if r.Pid != hog.Process.Pid {
				t.Errorf("pid %d, want the hog %d", r.Pid, hog.Process.Pid)
			}
			wantVictim, wantOom, wantTrigger := a.rel, parent.rel, true
			if _, printed := summaries[hog.Process.Pid]; !printed && mode == "kmsg" {
				// The kernel's rate limit swallowed the report: the log
				// alone cannot know, and must not guess.
				t.Log("kernel printed no summary for this kill")
				wantVictim, wantOom, wantTrigger = "", "", false
			}
			if r.VictimCgroup != wantVictim {
				t.Errorf("victim_cgroup %q, want %q", r.VictimCgroup, wantVictim)
			}
			if r.OomCgroup != wantOom {
				t.Errorf("oom_cgroup %q, want %q", r.OomCgroup, wantOom)
			}
			// The allocator touches its memory from its main thread, so
			// the kernel's trigger thread is the process's leader.
			if wantTrigger && (r.TriggerTid == nil || *r.TriggerTid != allocator.Process.Pid) {
				t.Errorf("trigger_tid %v, want the allocator %d", r.TriggerTid, allocator.Process.Pid)
			}
			if mode != "kmsg" && (r.TriggerPid == nil || *r.TriggerPid != allocator.Process.Pid) {
				t.Errorf("trigger_pid %v, want the allocator %d", r.TriggerPid, allocator.Process.Pid)
			}
			if r.Constraint != "CONSTRAINT_MEMCG" || r.SystemOOM {
				t.Errorf("constraint %q system_oom %v, want CONSTRAINT_MEMCG, false",
					r.Constraint, r.SystemOOM)
			}
		})
	}
}

// startInCgroup starts this test binary as a helper workload inside c; a
// hog is waited for until it has allocated.
func startInCgroup(t *testing.T, c memcg, spec string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$1"`, c.dir(), self)
	cmd.Env = append(os.Environ(), helperEnv+"="+spec)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if strings.HasPrefix(spec, "hog") {
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			ready <- sc.Scan() && sc.Text() == "ready"
		}()
		select {
		case ok := <-ready:
			if !ok {
				t.Fatal("hog failed before it was ready")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("hog not ready")
		}
	}
	return cmd
}
