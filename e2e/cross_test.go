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
//
// The hog's memory is uncharged a little after its kill, and the kernel may
// meanwhile take the allocator as a second victim (this sandbox cannot make
// it unkillable: no CAP_SYS_RESOURCE). That kill must be reported exactly
// too: victim in b, same OOM domain.
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
			allocator.Wait()
			time.Sleep(500 * time.Millisecond)
			logged, summaries := klog.kills(t)
			recs := tr.stop(t)

			if len(logged) == 0 || logged[0] != hog.Process.Pid {
				t.Fatalf("kernel killed %v, want the hog %d first", logged, hog.Process.Pid)
			}
			for _, pid := range logged[1:] {
				if pid != allocator.Process.Pid {
					t.Fatalf("kernel killed %v: more than the hog and the allocator", logged)
				}
			}
			checkExactlyOnce(t, recs, logged)
			for _, r := range recs {
				want := crossWant{victim: a, domain: parent, trigger: allocator.Process.Pid}
				if r.Tid == allocator.Process.Pid {
					want.victim = b
				}
				if _, printed := summaries[r.Tid]; !printed && mode == "kmsg" {
					// The kernel's rate limit swallowed the report: the
					// log alone cannot know, and must not guess.
					t.Logf("kernel printed no summary for the kill of %d", r.Tid)
					want.unknown = true
				}
				want.check(t, r, mode)
			}
		})
	}
}

type crossWant struct {
	victim, domain memcg
	trigger        int
	unknown        bool
}

func (w crossWant) check(t *testing.T, r record, mode string) {
	t.Helper()
	wantVictim, wantOom := w.victim.rel, w.domain.rel
	if w.unknown {
		wantVictim, wantOom = "", ""
	}
	if r.VictimCgroup != wantVictim {
		t.Errorf("pid %d: victim_cgroup %q, want %q", r.Tid, r.VictimCgroup, wantVictim)
	}
	if r.OomCgroup != wantOom {
		t.Errorf("pid %d: oom_cgroup %q, want %q", r.Tid, r.OomCgroup, wantOom)
	}
	// The allocator touches its memory from its main thread, so the
	// kernel's trigger thread is the process's leader.
	if !w.unknown && (r.TriggerTid == nil || *r.TriggerTid != w.trigger) {
		t.Errorf("pid %d: trigger_tid %v, want the allocator %d", r.Tid, r.TriggerTid, w.trigger)
	}
	if mode != "kmsg" && (r.TriggerPid == nil || *r.TriggerPid != w.trigger) {
		t.Errorf("pid %d: trigger_pid %v, want the allocator %d", r.Tid, r.TriggerPid, w.trigger)
	}
	if r.Constraint != "CONSTRAINT_MEMCG" || r.SystemOOM {
		t.Errorf("pid %d: constraint %q system_oom %v, want CONSTRAINT_MEMCG, false",
			r.Tid, r.Constraint, r.SystemOOM)
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
