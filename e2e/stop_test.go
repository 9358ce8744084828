package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestStopMidBurst stops oomtrace with SIGTERM while kills go on: every
// kill the kernel logged before the signal must be in the output exactly
// once, and everything in the output must be a real kill.
func TestStopMidBurst(t *testing.T) {
	requireRoot(t)
	stress := requireTool(t, "stress-ng")
	for _, mode := range []string{"auto", "kmsg"} {
		t.Run(mode, func(t *testing.T) {
			c := newMemcg(t, ownMemcg(t), fmt.Sprintf("oomtrace-e2e-stop-%s-%d", mode, os.Getpid()), 32<<20)
			tr := startTracer(t, "--mode", mode)
			klog := openKernelLog(t)

			load := exec.Command("sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`,
				c.dir(), stress, "--vm", "2", "--vm-bytes", "64M", "--timeout", "4s", "--quiet")
			if err := load.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Second)
			before := klog.snapshot()
			recs := tr.stop(t)
			load.Wait()
			all, _ := klog.kills(t)

			if len(before) < 10 {
				t.Fatalf("only %d kills before the stop; the test needs a burst", len(before))
			}
			checkReported(t, recs, before, all)
			t.Logf("%d kills before SIGTERM, %d records, %d kills in all", len(before), len(recs), len(all))
		})
	}
}
