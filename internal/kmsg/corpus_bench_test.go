package kmsg

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// BenchmarkCorpus runs the parser over a generated kernel log (make bench
// writes it; see bench/): OOMTRACE_BENCH_CORPUS holds raw /dev/kmsg records
// separated by NUL bytes, OOMTRACE_BENCH_CHATTER the records of the same
// log that belong to no OOM report. One op is one pass over the file.
// With OOMTRACE_BENCH_KILLS set, the kills found are written there as
// "SEQ PID" lines.
func BenchmarkCorpus(b *testing.B) {
	raw := loadCorpus(b, "OOMTRACE_BENCH_CORPUS")
	recs := parseAll(b, raw)

	b.Run("parse+feed", func(b *testing.B) {
		b.ReportAllocs()
		kills := 0
		for b.Loop() {
			kills = 0
			p := NewParser()
			for _, r := range raw {
				rec, err := ParseRecord(r)
				if err != nil {
					continue
				}
				if _, ok := p.Feed(rec); ok {
					kills++
				}
			}
		}
		reportRate(b, len(raw), kills)
	})

	b.Run("feed", func(b *testing.B) {
		b.ReportAllocs()
		kills := 0
		for b.Loop() {
			kills = 0
			p := NewParser()
			for _, r := range recs {
				if _, ok := p.Feed(r); ok {
					kills++
				}
			}
		}
		reportRate(b, len(recs), kills)
	})

	chatter := parseAll(b, loadCorpus(b, "OOMTRACE_BENCH_CHATTER"))
	b.Run("feed-chatter", func(b *testing.B) {
		b.ReportAllocs()
		p := NewParser()
		for b.Loop() {
			for _, r := range chatter {
				p.Feed(r)
			}
		}
		reportRate(b, len(chatter), 0)
	})

	if path := os.Getenv("OOMTRACE_BENCH_KILLS"); path != "" {
		writeKills(b, path, recs)
	}
}

func reportRate(b *testing.B, records, kills int) {
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(float64(kills), "kills")
}

func loadCorpus(b *testing.B, env string) [][]byte {
	b.Helper()
	path := os.Getenv(env)
	if path == "" {
		b.Skipf("%s not set: run make bench", env)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte{0}), []byte{0})
}

func parseAll(b *testing.B, raw [][]byte) []Record {
	b.Helper()
	recs := make([]Record, 0, len(raw))
	for i, r := range raw {
		rec, err := ParseRecord(r)
		if err != nil {
			b.Fatalf("record %d: %v", i, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func writeKills(b *testing.B, path string, recs []Record) {
	b.Helper()
	var out bytes.Buffer
	p := NewParser()
	for _, r := range recs {
		if k, ok := p.Feed(r); ok {
			fmt.Fprintf(&out, "%d %d\n", k.Seq, k.Pid)
		}
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
}
