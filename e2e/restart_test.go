package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestRestartMidBurst kills oomtrace with SIGKILL in the middle of a burst
// and starts it again with the same state file and output: the union of the
// output must be exactly the kernel's list of kills, with no duplicates.
func TestRestartMidBurst(t *testing.T) {
	requireRoot(t)
	stress := requireTool(t, "stress-ng")
	for _, mode := range []string{"auto", "kmsg"} {
		t.Run(mode, func(t *testing.T) {
			c := newMemcg(t, ownMemcg(t), fmt.Sprintf("oomtrace-e2e-restart-%s-%d", mode, os.Getpid()), 32<<20)
			dir := t.TempDir()
			output := filepath.Join(dir, "oom.jsonl")
			args := []string{"--mode", mode, "--state", filepath.Join(dir, "state.json")}

			first := startTracerAt(t, output, args...)
			klog := openKernelLog(t)
			before := c.oomKills(t)
			load := exec.Command("sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`,
				c.dir(), stress, "--vm", "2", "--vm-bytes", "64M", "--timeout", "5s", "--quiet")
			if err := load.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond)
			first.cmd.Process.Kill()
			first.cmd.Wait()
			killedAt := len(klog.snapshot())
			time.Sleep(time.Second) // kills while nothing watches

			second := startTracerAt(t, output, args...)
			load.Wait()
			logged, _ := klog.kills(t)
			second.stop(t)
			counted := c.oomKills(t) - before

			recs := readRecords(t, output)
			if counted != len(logged) {
				t.Fatalf("kernel counted %d kills but logged %d", counted, len(logged))
			}
			if killedAt < 5 || len(logged)-killedAt < 5 {
				t.Fatalf("kills before SIGKILL %d, after %d: the test needs both", killedAt, len(logged)-killedAt)
			}
			checkExactlyOnce(t, recs, logged)
			ids := map[string]bool{}
			replayed := 0
			for _, r := range recs {
				if r.ID == "" || ids[r.ID] {
					t.Errorf("pid %d: id %q missing or repeated", r.Tid, r.ID)
				}
				ids[r.ID] = true
				if r.Replayed {
					replayed++
					if !slices.Equal(r.Sources, []string{"kmsg"}) {
						t.Errorf("pid %d replayed from %v, want kmsg", r.Tid, r.Sources)
					}
				}
			}
			if replayed == 0 {
				t.Errorf("no record marked replayed, though kills happened while oomtrace was down")
			}
			t.Logf("%d kills: %d before SIGKILL, %d records, %d replayed", len(logged), killedAt, len(recs), replayed)
		})
	}
}
