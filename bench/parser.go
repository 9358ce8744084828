package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The product's parser lives in an internal package, which this module
// cannot import; its own benchmark (internal/kmsg/corpus_bench_test.go)
// runs over the corpus this program writes, and the figures are read from
// `go test -bench` output.

type parserFigures struct {
	// per sub-benchmark ("parse+feed", "feed", "feed-chatter"): metric
	// unit -> values, one per -count run
	runs                 map[string]map[string][]float64
	found, missed, bogus int
	cmd                  string
}

func runOomtraceParser(repo, dir string, c *corpus, count int) (*parserFigures, error) {
	all := filepath.Join(dir, "corpus.kmsg")
	chatter := filepath.Join(dir, "chatter.kmsg")
	kills := filepath.Join(dir, "kills.txt")
	if err := writeFile(all, c.records); err != nil {
		return nil, err
	}
	if err := writeFile(chatter, chatterOnly(c)); err != nil {
		return nil, err
	}

	args := []string{"test", "-run", "^$", "-bench", "^BenchmarkCorpus$", "-benchtime", "3x",
		"-count", strconv.Itoa(count), "./internal/kmsg"}
	cmd := exec.Command("go", args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "OOMTRACE_BENCH_CORPUS="+all,
		"OOMTRACE_BENCH_CHATTER="+chatter, "OOMTRACE_BENCH_KILLS="+kills)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go test -bench: %w\n%s", err, out)
	}

	f := &parserFigures{runs: map[string]map[string][]float64{},
		cmd: "go " + strings.Join(args, " ")}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "BenchmarkCorpus/") {
			continue
		}
		name := strings.TrimPrefix(fields[0], "BenchmarkCorpus/")
		name = name[:strings.LastIndexByte(name, '-')] // GOMAXPROCS suffix
		if f.runs[name] == nil {
			f.runs[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				f.runs[name][fields[i+1]] = append(f.runs[name][fields[i+1]], v)
			}
		}
	}
	if len(f.runs["parse+feed"]["records/s"]) == 0 {
		return nil, fmt.Errorf("no BenchmarkCorpus figures in go test output:\n%s", out)
	}
	return f, f.score(kills, c)
}

// score compares the kills the benchmark wrote with the truth, by sequence
// number and pid.
func (f *parserFigures) score(path string, c *corpus) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	truth := map[kill]bool{}
	for _, k := range c.kills {
		truth[k] = true
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var k kill
		if _, err := fmt.Sscan(line, &k.seq, &k.pid); err != nil {
			continue
		}
		if truth[k] {
			f.found++
			delete(truth, k)
		} else {
			f.bogus++
		}
	}
	f.missed = len(truth)
	return nil
}

func (f *parserFigures) median(name, unit string) float64 {
	return median(f.runs[name][unit])
}

// perRecord is a per-op metric divided by the records of one op.
func (f *parserFigures) perRecord(name, unit string) float64 {
	return f.median(name, unit) / f.median(name, "records")
}

func chatterOnly(c *corpus) [][]byte {
	var out [][]byte
	for i, r := range c.records {
		if c.isChatter[i] {
			out = append(out, r)
		}
	}
	return out
}

func writeFile(path string, recs [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeCorpus(f, recs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
