package kmsg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds lines both as raw records and as kernel text: parsing
// never panics and every kill is consistent with the line it came from.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.kmsg")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		p := NewParser()
		for i, line := range bytes.Split(data, []byte{'\n'}) {
			rec, err := ParseRecord(line)
			if err != nil {
				// Exercise the line parsers on arbitrary text too.
				rec = Record{Seq: uint64(i), Caller: []string{"", "T1", "T2"}[i%3],
					Text: string(line)}
			} else if rec.Level < 0 || rec.Level > 7 || rec.Facility < 0 {
				t.Fatalf("bad priority split: %+v", rec)
			}
			k, ok := p.Feed(rec)
			if ok {
				checkKill(t, rec, k)
			}
		}
	})
}

func checkKill(t *testing.T, rec Record, k Kill) {
	t.Helper()
	switch {
	case rec.Facility != 0:
		t.Fatalf("kill from facility %d", rec.Facility)
	case k.Pid <= 0 || k.Pid > pidMax:
		t.Fatalf("pid %d", k.Pid)
	case k.Seq != rec.Seq || k.SinceBoot != rec.SinceBoot:
		t.Fatalf("kill %d/%v from record %d/%v", k.Seq, k.SinceBoot, rec.Seq, rec.SinceBoot)
	case !strings.Contains(rec.Text, "("+k.Comm+")") &&
		!strings.Contains(rec.Text, "("+k.Comm+"),"):
		t.Fatalf("comm %q not in %q", k.Comm, rec.Text)
	case !strings.HasPrefix(rec.Text, k.Prefix):
		t.Fatalf("prefix %q not at the start of %q", k.Prefix, rec.Text)
	case k.GlobalOOM && k.OomCgroup != "/":
		t.Fatalf("global OOM with OomCgroup %q", k.OomCgroup)
	case k.VictimCgroup != "" && !k.HasReport:
		t.Fatalf("victim cgroup %q without report", k.VictimCgroup)
	case k.TriggerPid != 0 && k.TriggerComm == "" && !k.HasReport:
		t.Fatalf("trigger pid without report")
	case !k.HasShmemRSS && k.ShmemRSSKiB != 0, !k.HasPgtables && k.PgtablesKiB != 0,
		!k.HasUID && k.UID != 0, !k.HasOomScoreAdj && k.OomScoreAdj != 0:
		t.Fatalf("value without its Has flag: %+v", k)
	}
}
