package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// offlineTestdata holds saved logs, one form (or a mix) per file, each
// with the records "oomtrace parse" must write for it in NAME.jsonl,
// written by hand from the input.
const offlineTestdata = "../../internal/offline/testdata"

// parseNow is the clock of the tests: stamps without a year are read as
// of this instant.
var parseNow = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)

func runParseTest(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = parseLogs(append([]string{"--timezone", "UTC"}, args...), parseEnv{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, now: parseNow})
	return code, out.String(), errb.String()
}

func decodeLines(t *testing.T, text string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON object: %v: %s", err, sc.Text())
		}
		recs = append(recs, m)
	}
	return recs
}

func TestParseGolden(t *testing.T) {
	t.Chdir(offlineTestdata)
	inputs, err := filepath.Glob("*.log")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(in, ".log")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(name + ".jsonl")
			if err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runParseTest(t, "", in)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			got, exp := decodeLines(t, out), decodeLines(t, string(want))
			if len(got) != len(exp) {
				t.Fatalf("%d records, want %d\n%s", len(got), len(exp), out)
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], exp[i]) {
					g, _ := json.Marshal(got[i])
					w, _ := json.Marshal(exp[i])
					t.Errorf("record %d\n got %s\nwant %s", i, g, w)
				}
			}
		})
	}
}

// Every record keeps "time" first, as the daemon writes it, also when it
// is null.
func TestParseTimeFirst(t *testing.T) {
	t.Chdir(offlineTestdata)
	_, out, _ := runParseTest(t, "", "kmsg_raw.log", "journal_iso.log")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], `{"time":null,"pid":7311,`) ||
		!strings.HasPrefix(lines[2], `{"time":"2026-12-04T16:14:36.000000000Z","pid":501,`) {
		t.Errorf("output:\n%s", out)
	}
}

func TestParseUnusableReported(t *testing.T) {
	t.Chdir(offlineTestdata)
	code, _, stderr := runParseTest(t, "", "unusable.log")
	if code != 0 {
		t.Errorf("exit %d: unusable lines must not fail the run", code)
	}
	for _, want := range []string{"level=warning", "input=unusable.log", "unusable=6",
		`first_unusable_lines="2,3,4,5,6"`, "kills=2"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %s:\n%s", want, stderr)
		}
	}
}

func TestParseStdin(t *testing.T) {
	log := "[ 5.000000] Out of memory: Killed process 9 (x) total-vm:1kB, anon-rss:1kB, " +
		"file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
	for _, args := range [][]string{nil, {"-"}} {
		code, out, _ := runParseTest(t, log, args...)
		recs := decodeLines(t, out)
		if code != 0 || len(recs) != 1 || recs[0]["input"] != "-" || recs[0]["pid"] != 9.0 {
			t.Errorf("args %q: exit %d, output %s", args, code, out)
		}
	}
}

// An unreadable input fails the run with its name, after the others.
func TestParseUnreadable(t *testing.T) {
	t.Chdir(offlineTestdata)
	missing := filepath.Join(t.TempDir(), "missing.log")
	code, out, stderr := runParseTest(t, "", missing, "dmesg.log", ".")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if n := len(decodeLines(t, out)); n != 2 {
		t.Errorf("%d records, want dmesg.log's 2", n)
	}
	for _, want := range []string{"missing.log", "no such file", "input=.", "is a directory",
		"unreadable=2"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestParseUsage(t *testing.T) {
	if code, _, _ := runParseTest(t, "", "--bogus"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if code, _, stderr := runParseTest(t, "", "--timezone", "Nowhere/Else"); code != 2 ||
		!strings.Contains(stderr, "Nowhere/Else") {
		t.Errorf("bad zone: exit %d\n%s", code, stderr)
	}
}
