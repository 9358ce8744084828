package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// kill is one "Killed process" line the generator wrote: the truth the
// parsers are scored against.
type kill struct {
	seq uint64
	pid int
}

// corpus is a generated kernel log: raw /dev/kmsg records (each as read(2)
// returns it, continuation lines included), the kills among them, and how
// many records belong to no OOM report.
type corpus struct {
	records [][]byte
	kills   []kill
	chatter int
	// isChatter tells, per record, whether it belongs to no OOM report.
	isChatter []bool
	// formats counts the OOM reports written per format.
	formats map[string]int
}

// gen writes records with increasing sequence numbers and timestamps.
type gen struct {
	rng     *rand.Rand
	c       *corpus
	seq     uint64
	usec    uint64
	nextPid int
}

// generateCorpus builds about n records from seed: kernel chatter with an
// OOM report of a randomly chosen format every ~150 records. The same seed
// gives the same bytes.
func generateCorpus(seed uint64, n int) *corpus {
	g := &gen{
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		c:       &corpus{formats: map[string]int{}},
		seq:     1000,
		usec:    5_000_000,
		nextPid: 3000,
	}
	for len(g.c.records) < n {
		for range 20 + g.rng.IntN(260) {
			g.chatter()
		}
		g.report()
	}
	return g.c
}

func (g *gen) pid() int {
	g.nextPid += 1 + g.rng.IntN(40)
	if g.nextPid > 4_000_000 {
		g.nextPid = 300
	}
	return g.nextPid
}

// emit appends one record; caller may be empty. Kernel OOM lines are
// facility 0; fac lets user-space writes (facility 1) be generated too.
func (g *gen) emit(fac, level int, caller, text string, cont ...string) {
	g.seq++
	g.usec += uint64(1 + g.rng.IntN(3000))
	var b strings.Builder
	fmt.Fprintf(&b, "%d,%d,%d,-", fac<<3|level, g.seq, g.usec)
	if caller != "" {
		b.WriteString(",caller=" + caller)
	}
	b.WriteByte(';')
	b.WriteString(text)
	b.WriteByte('\n')
	for _, c := range cont {
		b.WriteString(" " + c + "\n")
	}
	g.c.records = append(g.c.records, []byte(b.String()))
	g.c.isChatter = append(g.c.isChatter, false)
}

// markChatter marks the last record as belonging to no OOM report.
func (g *gen) markChatter() {
	g.c.isChatter[len(g.c.isChatter)-1] = true
	g.c.chatter++
}

func (g *gen) noise(level int, text string, cont ...string) {
	g.emit(0, level, "", text, cont...)
	g.markChatter()
}

// writeCorpus stores the records NUL-separated (a raw record never holds
// a NUL: the kernel escapes it), the format the Go benchmark reads.
func writeCorpus(w io.Writer, recs [][]byte) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for _, r := range recs {
		bw.Write(r)
		bw.WriteByte(0)
	}
	return bw.Flush()
}
