package e2e

import (
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestHostileNames gets real processes OOM-killed under names made to
// confuse a log parser, and checks pid and name in each mode.
func TestHostileNames(t *testing.T) {
	requireRoot(t)
	names := []struct {
		comm, want string // want: as the JSON should read
	}{
		{"a,b=c (d) e", "a,b=c (d) e"},
		{"x) total-vm:1kB", "x) total-vm:1kB"},
		{"Killed process ", "Killed process "},
		{"pid=1,uid=0,x=", "pid=1,uid=0,x="},
		{")) ((", ")) (("},
		{"\xff\xfe\\x41\xc3\xa9", `\xff\xfe\x41é`},
	}
	for _, mode := range []string{"auto", "ebpf", "kmsg"} {
		t.Run(mode, func(t *testing.T) {
			own := ownMemcg(t)
			tr := startTracer(t, "--mode", mode)
			klog := openKernelLog(t)
			want := map[int]string{}
			for i, n := range names {
				c := newMemcg(t, own, fmt.Sprintf("oomtrace-e2e-names-%s-%d-%d", mode, i, os.Getpid()), 32<<20)
				cmd := startInCgroup(t, c, "named:"+hex.EncodeToString([]byte(n.comm))+":64")
				cmd.Wait()
				want[cmd.Process.Pid] = n.want
			}
			time.Sleep(300 * time.Millisecond)
			logged, _ := klog.kills(t)
			recs := tr.stop(t)
			checkExactlyOnce(t, recs, logged)
			for _, r := range recs {
				name, ok := want[r.Tid]
				if !ok {
					t.Errorf("record for %d, which no test process had", r.Tid)
					continue
				}
				if r.Pid != r.Tid || r.ProcessName != name {
					t.Errorf("pid %d tid %d name %q, want pid %d name %q",
						r.Pid, r.Tid, r.ProcessName, r.Tid, name)
				}
			}
			if len(recs) != len(names) {
				t.Errorf("%d records for %d killed processes", len(recs), len(names))
			}
		})
	}
}
