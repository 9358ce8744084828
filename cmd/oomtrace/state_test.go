package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStateRoundTripAndDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if _, found, err := loadState(path); found || err != nil {
		t.Fatalf("missing file: found %v err %v, want neither", found, err)
	}
	want := state{BootID: "b1", KmsgSeq: 42, Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := saveState(path, want); err != nil {
		t.Fatal(err)
	}
	got, found, err := loadState(path)
	if err != nil || !found || got != want {
		t.Fatalf("got %+v %v %v, want %+v", got, found, err, want)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".oomtrace-state-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	for _, damaged := range []string{"", "{", `{"kmsg_seq":1}`, "\x00\x01"} {
		os.WriteFile(path, []byte(damaged), 0o600)
		if _, _, err := loadState(path); err == nil {
			t.Errorf("damaged state %q loaded without error", damaged)
		}
	}
}

func TestResumerFromState(t *testing.T) {
	dir := t.TempDir()
	bootIDPath = filepath.Join(dir, "boot_id")
	defer func() { bootIDPath = "/proc/sys/kernel/random/boot_id" }()
	os.WriteFile(bootIDPath, []byte("this-boot\n"), 0o600)
	statePath := filepath.Join(dir, "state.json")
	output := filepath.Join(dir, "out.jsonl")
	o := options{state: statePath, output: output}

	cases := []struct {
		name   string
		state  string
		replay bool
		want   kmsgStart
	}{
		{"no state", "", false, kmsgStart{}},
		{"no state, replay", "", true, kmsgStart{oldest: true}},
		{"same boot", `{"boot_id":"this-boot","kmsg_seq":77}`, false,
			kmsgStart{resume: true, resumeAfter: 77}},
		{"other boot", `{"boot_id":"old-boot","kmsg_seq":77}`, false, kmsgStart{}},
		{"damaged", `{"boot_id":`, false, kmsgStart{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(statePath)
			if tc.state != "" {
				os.WriteFile(statePath, []byte(tc.state), 0o600)
			}
			o.replay = tc.replay
			r, at, err := newResumer(o)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			if _, _, err := newResumer(o); err == nil {
				t.Error("a second instance took the same state")
			}
			if at != tc.want {
				t.Errorf("start %+v, want %+v", at, tc.want)
			}
			if r.bootID != "this-boot" {
				t.Errorf("boot id %q", r.bootID)
			}
		})
	}
}

func TestLedger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	lines := `{"time":"2026-12-04T10:00:00.000000000Z","id":"this/10","tid":5,"kmsg_seq":10}
{"time":"2026-12-04T10:00:01.000000000Z","id":"this/e123","tid":6}
{"time":"2026-12-04T10:00:02.000000000Z","id":"other/11","tid":7,"kmsg_seq":11}
not json
`
	os.WriteFile(path, []byte(lines), 0o600)
	l := readLedger(path, "this")
	at := time.Date(2026, 12, 4, 10, 0, 1, 300e6, time.UTC)
	cases := []struct {
		seq  uint64
		tid  int
		at   time.Time
		want bool
	}{
		{10, 99, at, true},                      // same record
		{12, 6, at, true},                       // eBPF-only record of the same victim
		{12, 6, at.Add(5 * time.Second), false}, // same pid, much later: another kill
		{11, 7, at, false},                      // another boot's record
	}
	for _, tc := range cases {
		if got := l.has(tc.seq, tc.tid, tc.at); got != tc.want {
			t.Errorf("has(%d, %d) = %v, want %v", tc.seq, tc.tid, got, tc.want)
		}
	}
}

func TestAuditorWaitsForAStableDifference(t *testing.T) {
	vmstat := filepath.Join(t.TempDir(), "vmstat")
	vmstatPath = vmstat
	defer func() { vmstatPath = "/proc/vmstat" }()
	set := func(n string) { os.WriteFile(vmstat, []byte("pgfault 1\noom_kill "+n+"\n"), 0o600) }
	set("100")
	a := newAuditor()
	set("105")
	if _, _, warn := a.look(3); warn {
		t.Error("warned while kills were still arriving")
	}
	if k, diff, warn := a.look(3); !warn || k != 5 || diff != 2 {
		t.Errorf("look = %d, %d, %v; want 5 kills, 2 missing, a warning", k, diff, warn)
	}
	if _, _, warn := a.look(3); warn {
		t.Error("warned twice for one difference")
	}
	if _, diff, warn := a.look(5); warn || diff != 0 {
		t.Errorf("caught up: diff %d warn %v", diff, warn)
	}
}
