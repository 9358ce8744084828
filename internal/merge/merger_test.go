package merge

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oomtrace/oomtrace/internal/kmsg"
	"github.com/oomtrace/oomtrace/internal/probe"
)

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func collect(cfg Config) (*Merger, *[]OomInstance) {
	var out []OomInstance
	cfg.Wall = func(d time.Duration) time.Time { return t0.Add(d) }
	return New(cfg, func(r OomInstance) { out = append(out, r) }), &out
}

func memcgEvent(tid int) probe.Event {
	return probe.Event{
		SinceBoot: 5 * time.Second, Variant: probe.VariantBTF,
		Tid: tid, Tgid: tid, Comm: "worker", HasTask: true, HasMM: true,
		AnonRSSKiB: 1000, VictimCgroup: "/app/a", OomCgroup: "/app", OomFound: true,
		TriggerPid: 7, TriggerTid: 8, TriggerComm: "alloc",
		KillKnown: true, Killed: true,
	}
}

func TestMergeBothSourcesEitherOrder(t *testing.T) {
	kill := kmsg.Kill{Seq: 42, SinceBoot: 5*time.Second + time.Millisecond, Pid: 100,
		Comm: "worker", HasReport: true, Constraint: "CONSTRAINT_MEMCG",
		OomCgroup: "/app", VictimCgroup: "/app/a", GFPMask: "0xcc0(GFP_KERNEL)",
		Order: 0, HasOrder: true}
	for _, kmsgFirst := range []bool{false, true} {
		m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Second})
		if kmsgFirst {
			m.AddKill(kill, t0)
			m.AddEvent(memcgEvent(100), t0)
		} else {
			m.AddEvent(memcgEvent(100), t0)
			m.AddKill(kill, t0)
		}
		if len(*out) != 1 {
			t.Fatalf("kmsgFirst=%v: %d records, want 1", kmsgFirst, len(*out))
		}
		r := (*out)[0]
		if strings.Join(r.Sources, ",") != "ebpf,kmsg" {
			t.Errorf("sources %v", r.Sources)
		}
		if !r.TimeOfDeath.Equal(t0.Add(5 * time.Second)) {
			t.Errorf("time %v: eBPF's time must win", r.TimeOfDeath)
		}
		if r.GFPMask != kill.GFPMask || r.Order == nil || *r.KmsgSeq != 42 {
			t.Errorf("kernel log details lost: %+v", r)
		}
		m.Flush()
		if len(*out) != 1 {
			t.Errorf("flush emitted a merged kill again")
		}
	}
}

func TestKernelLogWinsTheOomDomain(t *testing.T) {
	m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Second})
	e := memcgEvent(5)
	e.OomCgroup = "/app/a"
	m.AddEvent(e, t0)
	m.AddKill(kmsg.Kill{Pid: 5, HasReport: true, Constraint: "CONSTRAINT_MEMCG", OomCgroup: "/app"}, t0)
	if r := (*out)[0]; r.VictimContainerName != "/app" {
		t.Errorf("oom_cgroup %q, want the kernel log's /app", r.VictimContainerName)
	}
	if m.Stats().Disagreed != 1 {
		t.Errorf("disagreement not counted")
	}
}

func TestWaitThenAlone(t *testing.T) {
	m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Second})
	m.AddEvent(memcgEvent(1), t0)
	m.AddKill(kmsg.Kill{Pid: 2, Prefix: "Memory cgroup out of memory", Constraint: "CONSTRAINT_MEMCG"}, t0)
	m.Expire(t0.Add(999 * time.Millisecond))
	if len(*out) != 0 {
		t.Fatalf("emitted before the wait ended")
	}
	m.Expire(t0.Add(time.Second))
	if len(*out) != 2 {
		t.Fatalf("%d records after the wait, want 2", len(*out))
	}
	for _, r := range *out {
		if len(r.Sources) != 1 {
			t.Errorf("pid %d sources %v, want one", r.Pid, r.Sources)
		}
	}
	if r := (*out)[1]; r.VictimContainerName != "" || r.SystemOOM {
		t.Errorf("kmsg-only kill without summary: oom_cgroup %q system_oom %v, want unknown",
			r.VictimContainerName, r.SystemOOM)
	}
}

func TestAlreadyExitingIsNoKill(t *testing.T) {
	m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Second})
	e := memcgEvent(9)
	e.Killed = false
	m.AddEvent(e, t0)
	m.Flush()
	if len(*out) != 0 || m.Stats().NotKilled != 1 {
		t.Fatalf("a mark without a kill was reported: %+v", *out)
	}

	// But the kernel log's "Killed process" line proves a kill.
	m.AddEvent(e, t0)
	m.AddKill(kmsg.Kill{Pid: 9}, t0)
	if len(*out) != 1 {
		t.Fatalf("a logged kill was dropped")
	}
}

func TestSingleSourceGoesOutAtOnce(t *testing.T) {
	m, out := collect(Config{EBPF: true, Wait: time.Hour})
	m.AddEvent(memcgEvent(3), t0)
	m2, out2 := collect(Config{Kmsg: true, Wait: time.Hour})
	m2.AddKill(kmsg.Kill{Pid: 3, GlobalOOM: true, Constraint: "CONSTRAINT_NONE"}, t0)
	if len(*out) != 1 || len(*out2) != 1 {
		t.Fatalf("single-source records waited")
	}
	if r := (*out2)[0]; r.VictimContainerName != "/" || !r.SystemOOM {
		t.Errorf("global OOM: oom_cgroup %q system_oom %v", r.VictimContainerName, r.SystemOOM)
	}
}

func TestGlobalFromCounters(t *testing.T) {
	m, out := collect(Config{EBPF: true})
	e := memcgEvent(4)
	e.OomFound, e.OomCgroup = false, ""
	m.AddEvent(e, t0)
	r := (*out)[0]
	if r.VictimContainerName != "/" || !r.SystemOOM || r.Constraint != "" {
		t.Errorf("no cgroup at its limit: got oom_cgroup %q system_oom %v constraint %q",
			r.VictimContainerName, r.SystemOOM, r.Constraint)
	}
}

func TestPendingIsBounded(t *testing.T) {
	m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Hour, MaxPending: 3})
	for i := 1; i <= 5; i++ {
		m.AddEvent(memcgEvent(i), t0)
	}
	if len(*out) != 2 || m.Stats().PendingNow != 3 {
		t.Fatalf("out %d pending %d, want 2 and 3", len(*out), m.Stats().PendingNow)
	}
}

func TestJSON(t *testing.T) {
	m, out := collect(Config{EBPF: true})
	m.AddEvent(memcgEvent(6), t0)
	b, err := json.Marshal((*out)[0])
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, `{"time":"2026-12-04T10:00:05.000000000Z","pid":6,`) {
		t.Errorf("time not first or not nanosecond RFC 3339: %s", s)
	}
	for _, key := range []string{`"victim_cgroup":"/app/a"`, `"oom_cgroup":"/app"`,
		`"constraint":"CONSTRAINT_MEMCG"`, `"system_oom":false`, `"uid":0`,
		`"shmem_rss_kb":0`, `"sources":["ebpf"]`, `"trigger_pid":7`} {
		if !strings.Contains(s, key) {
			t.Errorf("missing %s in %s", key, s)
		}
	}
	var back OomInstance
	if err := json.Unmarshal(b, &back); err != nil || !back.TimeOfDeath.Equal((*out)[0].TimeOfDeath) {
		t.Errorf("round trip: %v %v", err, back.TimeOfDeath)
	}
}

func TestDisplayComm(t *testing.T) {
	cases := []struct{ in, want string }{
		{"stress-ng-vm", "stress-ng-vm"},
		{"a,b=c (d)", "a,b=c (d)"},
		{"caf\xc3\xa9", "café"},
		{"\xff\xfe\\x41", `\xff\xfe\x41`},
		{"ok\xc3", `ok\xc3`},
	}
	for _, tc := range cases {
		if got := displayComm(tc.in); got != tc.want {
			t.Errorf("displayComm(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLatePartnerIsNotASecondKill(t *testing.T) {
	m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Millisecond})
	m.AddEvent(memcgEvent(11), t0)
	m.Expire(t0.Add(time.Second))
	m.AddKill(kmsg.Kill{Pid: 11, Seq: 5}, t0.Add(time.Second))
	m.AddKill(kmsg.Kill{Pid: 12, Seq: 6}, t0.Add(time.Second))
	m.Expire(t0.Add(2 * time.Second))
	m.AddEvent(memcgEvent(12), t0.Add(2*time.Second))
	m.Flush()
	if len(*out) != 2 || m.Stats().Late != 2 {
		t.Fatalf("%d records, %d late; want 2 records and 2 late facts", len(*out), m.Stats().Late)
	}
}

// An oom.group kill kills the chosen victim first and again with the rest
// of its cgroup: two Killed lines, one mark. That is one kill.
func TestRepeatedKilledLineIsOneKill(t *testing.T) {
	later := t0.Add(10 * time.Second)
	cases := []struct {
		name     string
		feed     func(m *Merger)
		records  int
		repeated uint64
	}{
		{"mark between the lines", func(m *Merger) {
			m.AddKill(kmsg.Kill{Pid: 100, Seq: 1}, t0)
			m.AddEvent(memcgEvent(100), t0)
			m.AddEvent(memcgEvent(101), t0)
			m.AddKill(kmsg.Kill{Pid: 101, Seq: 2}, t0)
			m.AddKill(kmsg.Kill{Pid: 100, Seq: 3}, t0)
		}, 2, 1},
		{"both lines before the mark", func(m *Merger) {
			m.AddKill(kmsg.Kill{Pid: 100, Seq: 1}, t0)
			m.AddKill(kmsg.Kill{Pid: 100, Seq: 2}, t0)
			m.AddEvent(memcgEvent(100), t0)
		}, 1, 1},
		{"reused pid, seconds later", func(m *Merger) {
			m.AddEvent(memcgEvent(100), t0)
			m.AddKill(kmsg.Kill{Pid: 100, Seq: 1}, t0)
			m.AddKill(kmsg.Kill{Pid: 100, Seq: 9}, later)
			m.AddEvent(memcgEvent(100), later)
		}, 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Second})
			tc.feed(m)
			m.Flush()
			if len(*out) != tc.records {
				t.Fatalf("%d records, want %d", len(*out), tc.records)
			}
			if got := m.Stats().Repeated; got != tc.repeated {
				t.Errorf("repeated %d, want %d (the audit adds them to the count)", got, tc.repeated)
			}
			for _, r := range *out {
				if len(r.Sources) != 2 {
					t.Errorf("tid %d: sources %v, want both", r.Tid, r.Sources)
				}
			}
		})
	}
}

// The pid variant can know the task but not its cgroup; the kernel log's
// task_memcg must not be wiped by that.
func TestEmptyVictimCgroupKeepsTheLogs(t *testing.T) {
	m, out := collect(Config{EBPF: true, Kmsg: true, Wait: time.Second})
	e := memcgEvent(100)
	e.Variant, e.VictimCgroup = probe.VariantPid, ""
	m.AddKill(kmsg.Kill{Pid: 100, Seq: 1, HasReport: true, Constraint: "CONSTRAINT_MEMCG",
		OomCgroup: "/app", VictimCgroup: "/app/a"}, t0)
	m.AddEvent(e, t0)
	if len(*out) != 1 || (*out)[0].ContainerName != "/app/a" {
		t.Fatalf("records %+v: want victim cgroup /app/a from the kernel log", *out)
	}
}
