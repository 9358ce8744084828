package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/kmsg"
	"github.com/oomtrace/oomtrace/internal/merge"
	"github.com/oomtrace/oomtrace/internal/offline"
)

const parseUsage = `usage: oomtrace parse [--timezone ZONE] [FILE...|-]

Reads saved kernel logs (raw /dev/kmsg records, dmesg output, journalctl -k
output, syslog kern.log; gzip-compressed or not; formats may be mixed) and
writes one JSON line per OOM kill to stdout. No FILE, or -, reads stdin.
`

// runParse runs "oomtrace parse". Exit status: 0 when every input could
// be read (unusable lines are reported on stderr, not fatal), 1 when one
// could not be (the others are still read), 2 for a usage error.
func runParse(args []string) int {
	return parseLogs(args, parseEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
}

// parseEnv is what parseLogs reads and writes; tests replace it.
type parseEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// now anchors stamps without a year; zero: the current time.
	now time.Time
}

// logParse turns the lines of saved logs into records.
type logParse struct {
	opt    offline.Options
	log    *log.Logger
	out    *bufio.Writer
	merger *merge.Merger
	// cur is the line of the kill being handed to the merger, which emits
	// kernel-log-only records at once.
	cur struct {
		input string
		line  offline.Line
	}
	kills, unusable int
	unparsedKills   int
}

func parseLogs(args []string, env parseEnv) int {
	fs := flag.NewFlagSet("oomtrace parse", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	zone := fs.String("timezone", "Local", "zone of the machine that wrote the log, "+
		"for stamps without one (dmesg -T, syslog, journalctl's short forms): "+
		"an IANA name such as Europe/Berlin, or UTC")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), parseUsage+"\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		fmt.Fprintf(env.stderr, "oomtrace parse: --timezone %q: %v\n", *zone, err)
		return 2
	}

	p := &logParse{
		opt: offline.Options{Location: loc, Now: env.now},
		log: log.New(),
		out: bufio.NewWriter(env.stdout),
	}
	p.log.SetOutput(env.stderr)
	// Saved logs have no live clock: a kill without an absolute time in
	// its line gets none ("time": null).
	p.merger = merge.New(merge.Config{Kmsg: true,
		Wall: func(time.Duration) time.Time { return time.Time{} }}, p.emit)

	inputs := fs.Args()
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	failed := 0
	for _, name := range inputs {
		if err := p.input(name, env.stdin); err != nil {
			failed++
			p.log.WithError(err).WithField("input", name).Error("parse: input not read")
		}
	}
	p.merger.Flush()

	status := 0
	if err := p.out.Flush(); err != nil {
		p.log.WithError(err).Error("parse: write output")
		status = 1
	}
	p.log.WithFields(log.Fields{"inputs": len(inputs), "unreadable": failed,
		"unusable_lines": p.unusable, "kills": p.kills,
		"unparsed_kill_lines": p.unparsedKills}).Info("parse: done")
	if failed > 0 {
		status = 1
	}
	return status
}

// input reads one saved log. Kills found before a read error are kept.
func (p *logParse) input(name string, stdin io.Reader) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	text, err := offline.Decompress(r)
	if err != nil {
		return err
	}

	sc := offline.NewScanner(text, p.opt)
	parser := kmsg.NewParser()
	kills := p.kills
	for sc.Scan() {
		l := sc.Line()
		before := parser.Unparsed()
		k, ok := parser.Feed(l.Record)
		if parser.Unparsed() != before {
			p.log.WithFields(log.Fields{"input": name, "line": l.Number, "text": l.Text}).
				Warn("parse: a Killed process line in an unknown format: kill not reported")
			p.unparsedKills++
		}
		if !ok {
			continue
		}
		k.WallTime = l.Wall
		p.cur.input, p.cur.line = name, l
		p.merger.AddKill(k, time.Time{})
	}
	p.report(name, sc.Stats(), p.kills-kills)
	if err := sc.Err(); err != nil {
		return fmt.Errorf("after line %d: %w", sc.Stats().Lines, err)
	}
	return nil
}

// emit writes a record with what only a saved log tells: where the line
// was and, for raw records only, the kernel's sequence number.
func (p *logParse) emit(r merge.OomInstance) {
	l := p.cur.line
	if !l.HasSeq {
		r.KmsgSeq = nil
	}
	if l.HasSinceBoot {
		s := float64(l.SinceBoot.Microseconds()) / 1e6
		r.SinceBootS = &s
	}
	r.Input, r.InputLine = p.cur.input, l.Number

	b, err := json.Marshal(r)
	if err != nil {
		p.log.WithError(err).Error("parse: encode record")
		return
	}
	p.out.Write(append(b, '\n'))
	p.kills++
}

// report logs one input's counts, and its unusable lines as a warning.
func (p *logParse) report(name string, st offline.Stats, kills int) {
	p.unusable += st.Unusable
	formats := make([]string, 0, len(st.ByFormat))
	for f, n := range st.ByFormat {
		formats = append(formats, f.String()+"="+strconv.Itoa(n))
	}
	slices.Sort(formats)
	f := log.Fields{"input": name, "lines": st.Lines, "kernel_lines": st.Kernel,
		"other_sources": st.Foreign, "formats": strings.Join(formats, ","), "kills": kills}

	if st.Unusable > 0 {
		first := make([]string, len(st.FirstUnusable))
		for i, n := range st.FirstUnusable {
			first[i] = strconv.Itoa(n)
		}
		p.log.WithFields(f).WithFields(log.Fields{"unusable": st.Unusable,
			"first_unusable_lines": strings.Join(first, ",")}).
			Warn("parse: lines in no known format skipped")
		return
	}
	if st.Lines > 0 && st.Kernel == 0 {
		p.log.WithFields(f).Warn("parse: no kernel lines in this input")
		return
	}
	p.log.WithFields(f).Info("parse: input read")
}
