package kmsg

import "testing"

// nonOOM are records a busy machine logs all the time, including a stack
// dump header that belongs to no OOM report.
var nonOOM = []Record{
	{Level: 6, Seq: 1, Text: "docker0: port 2(veth1c2d) entered forwarding state"},
	{Level: 4, Seq: 2, Text: "CPU: 3 PID: 9 Comm: kworker/3:1 Not tainted 6.12.9 #1"},
	{Level: 6, Seq: 3, Text: "/dev/sda1: clean, 11/65536 files, 12345/262144 blocks"},
	{Level: 4, Seq: 4, Text: "audit: type=1400 audit(1700000000.1:42): apparmor=\"DENIED\""},
	{Facility: 1, Level: 4, Seq: 5, Text: "Out of memory: Killed process 1 (init) total-vm:1kB"},
	{Level: 6, Seq: 6, Text: "oom_reaper: reaped process 7 (x), now anon-rss:0kB, file-rss:0kB"},
	{Level: 4, Seq: 7, Caller: "T5", Text: "oom_kill_process: 3 callbacks suppressed"},
}

func BenchmarkFeedNonOOM(b *testing.B) {
	p := NewParser()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Feed(nonOOM[i%len(nonOOM)])
	}
}

// TestFeedNonOOMAllocs holds the parser to zero allocations for records
// outside OOM reports, also while a legacy cgroup line waits for fragments.
func TestFeedNonOOMAllocs(t *testing.T) {
	p := NewParser()
	p.Feed(Record{Seq: 1, Text: "Task in /a"})
	if !p.taskInPending {
		t.Fatal("fragment wait not set up")
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, r := range nonOOM {
			p.Feed(r)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

func BenchmarkParseRecord(b *testing.B) {
	raw := []byte("6,123456,98765432,-;usb 1-1: new high-speed USB device number 2 using xhci_hcd")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(raw); err != nil {
			b.Fatal(err)
		}
	}
}
