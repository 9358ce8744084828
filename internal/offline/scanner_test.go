package offline

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestContinuationLines(t *testing.T) {
	input := strings.Join([]string{
		"6,10,1000000,-;usb 1-1: new device",
		" SUBSYSTEM=usb",
		" DEVICE=c189:1",
		"Dec  4 16:14:36 web1 systemd[1]: a message",
		"    that goes on",
		"[    1.000000] Call Trace:",
		" <TASK>",
		"#PF: supervisor read access in kernel mode",
		"# a comment",
	}, "\n")
	lines, st := scanAll(t, input, nil)
	var texts []string
	for _, l := range lines {
		texts = append(texts, l.Text)
	}
	want := []string{"usb 1-1: new device", "Call Trace:", " <TASK>",
		"#PF: supervisor read access in kernel mode"}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("kernel lines %q, want %q", texts, want)
	}
	if st.Skipped != 4 || st.Foreign != 1 || st.Unusable != 0 || st.Lines != 9 {
		t.Errorf("stats %+v", st)
	}
	if lines[2].Number != 7 || lines[2].Seq != 7 || lines[0].Seq != 10 {
		t.Errorf("numbers: %+v", lines)
	}
}

// A host seen on a syslog line makes later "[stamp] host tag: text" lines
// journal lines even when their tag has no pid.
func TestShortMonotonicHost(t *testing.T) {
	input := "[ 5.000000] web1 kernel: first\n" +
		"[ 6.000000] web1 sudo: pam_unix(sudo:session): session opened\n" +
		"[ 7.000000] Hardware name: QEMU Standard PC\n"
	lines, st := scanAll(t, input, nil)
	if len(lines) != 2 || lines[0].Format != JournalMonotonic || lines[1].Format != Dmesg ||
		lines[1].Text != "Hardware name: QEMU Standard PC" || st.Foreign != 1 {
		t.Errorf("lines %+v stats %+v", lines, st)
	}
}

func TestYearInference(t *testing.T) {
	// testNow is 10 December 2026: a stamp in late December is last year's.
	tests := []struct{ line, want string }{
		{"Dec  4 16:14:36 h kernel: x", "2026-12-04T16:14:36Z"},
		{"Dec 11 06:00:00 h kernel: x", "2026-12-11T06:00:00Z"},
		{"Dec 31 23:59:59 h kernel: x", "2025-12-31T23:59:59Z"},
		{"Jan  1 00:00:05 h kernel: x", "2026-01-01T00:00:05Z"},
		{"Feb 29 10:00:00 h kernel: x", "2024-02-29T10:00:00Z"},
	}
	for _, tt := range tests {
		lines, _ := scanAll(t, tt.line, nil)
		if len(lines) != 1 || !lines[0].Wall.Equal(utc(tt.want)) {
			t.Errorf("%q: got %+v, want %s", tt.line, lines, tt.want)
		}
	}
}

func TestLocalStamps(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	input := "[Fri Dec  4 16:28:52 2026] a\nDec  4 16:14:36 h kernel: b\n" +
		"2026-12-04T16:14:36 h kernel: c\n2026-12-04T16:14:36Z h kernel: d\n"
	lines, _ := scanAll(t, input, berlin)
	want := []string{"2026-12-04T15:28:52Z", "2026-12-04T15:14:36Z",
		"2026-12-04T15:14:36Z", "2026-12-04T16:14:36Z"}
	for i, l := range lines {
		if !l.Wall.Equal(utc(want[i])) {
			t.Errorf("%s: wall %v, want %s", l.Text, l.Wall, want[i])
		}
	}
}

func TestLongLine(t *testing.T) {
	input := "[ 1.000000] before\n" + strings.Repeat("x", MaxLine+10) + "\n[ 2.000000] after"
	lines, st := scanAll(t, input, nil)
	if len(lines) != 2 || lines[1].Text != "after" || st.Unusable != 1 ||
		!reflect.DeepEqual(st.FirstUnusable, []int{2}) {
		t.Errorf("lines %d stats %+v", len(lines), st)
	}
}

func TestFirstUnusableBounded(t *testing.T) {
	input := strings.Repeat("<x>\n", MaxReportedLines+3)
	_, st := scanAll(t, input, nil)
	if st.Unusable != MaxReportedLines+3 || !reflect.DeepEqual(st.FirstUnusable, []int{1, 2, 3, 4, 5}) {
		t.Errorf("stats %+v", st)
	}
}

func gzipped(t *testing.T, members ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, m := range members {
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(m))
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestDecompress(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  string
		err   error
	}{
		{"text", []byte("[ 1.0] x\n"), "[ 1.0] x\n", nil},
		{"empty", nil, "", nil},
		{"gzip, two members", gzipped(t, "a\n", "b\n"), "a\nb\n", nil},
		{"journal file", []byte("LPKSHHRH\x00\x00"), "", ErrUnsupported},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0, 0}, "", ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decompress(bytes.NewReader(tt.input))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			got, err := io.ReadAll(r)
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
}

// A gzip stream cut short ends the scan with an error after the lines
// before the cut.
func TestTruncatedGzip(t *testing.T) {
	z := gzipped(t, strings.Repeat("[ 1.000000] line\n", 1000))
	r, err := Decompress(bytes.NewReader(z[:len(z)/2]))
	if err != nil {
		t.Fatal(err)
	}
	sc := NewScanner(r, Options{})
	n := 0
	for sc.Scan() {
		n++
	}
	if sc.Err() == nil || n == 0 {
		t.Errorf("%d lines, err %v: want some lines and an error", n, sc.Err())
	}
}
