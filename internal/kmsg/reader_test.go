package kmsg

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// requireKmsg skips unless /dev/kmsg can be read and written.
func requireKmsg(t *testing.T) {
	t.Helper()
	for _, flag := range []int{os.O_RDONLY, os.O_WRONLY} {
		f, err := os.OpenFile("/dev/kmsg", flag, 0)
		if err != nil {
			t.Skipf("needs root to read /dev/kmsg; CI runs as root (%v)", err)
		}
		f.Close()
	}
}

// writeKmsg logs text from user space (facility 1) and returns
// CLOCK_MONOTONIC around the write.
func writeKmsg(t *testing.T, text string) (before, after time.Duration) {
	t.Helper()
	f, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before = monotonic(t)
	// Without the newline the kernel keeps the record open for a
	// continuation and readers do not see it yet.
	if _, err := f.WriteString(text + "\n"); err != nil {
		t.Fatal(err)
	}
	return before, monotonic(t)
}

func monotonic(t *testing.T) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// rawRecordOf finds the record with text by reading /dev/kmsg directly.
func rawRecordOf(t *testing.T, text string) Record {
	t.Helper()
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 16*1024)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EPIPE || err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("record %q not found: %v", text, err)
		}
		if rec, err := ParseRecord(buf[:n]); err == nil && rec.Text == text {
			return rec
		}
	}
}

func TestReaderLive(t *testing.T) {
	requireKmsg(t)

	for _, tt := range []struct {
		name  string
		start Start
	}{
		{"from oldest", StartAtOldest},
		{"from end", StartAtEnd},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Logged before the reader opens: only a reader from the oldest
			// record may deliver it.
			nonce := fmt.Sprintf("%d.%d %s", os.Getpid(), time.Now().UnixNano(), tt.name)
			early := "oomtrace kmsg test early " + nonce
			writeKmsg(t, early)

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r := NewReader(WithStart(tt.start), WithLogger(quietLog()))
			out := make(chan Record, 1024)
			done := make(chan error, 1)
			go func() { done <- r.Run(ctx, out) }()

			// Give the reader time to open and, from the end, to seek.
			time.Sleep(300 * time.Millisecond)
			text := "oomtrace kmsg test " + nonce
			before, after := writeKmsg(t, text)
			truth := rawRecordOf(t, text)

			got, sawEarly := waitFor(t, ctx, out, text, early)
			if sawEarly != (tt.start == StartAtOldest) {
				t.Errorf("record logged before the start delivered: %v", sawEarly)
			}
			if got.Facility != 1 || got.Seq != truth.Seq {
				t.Errorf("got facility %d seq %d, want 1 and %d", got.Facility, got.Seq, truth.Seq)
			}
			if got.SinceBoot != truth.SinceBoot {
				t.Errorf("SinceBoot %v, want %v as read raw", got.SinceBoot, truth.SinceBoot)
			}
			// The log's clock runs with CLOCK_MONOTONIC (no suspend here).
			const slack = 20 * time.Millisecond
			if got.SinceBoot < before-slack || got.SinceBoot > after+slack {
				t.Errorf("SinceBoot %v outside monotonic [%v, %v] ± %v",
					got.SinceBoot, before, after, slack)
			}

			cancel()
			if err := <-done; err != context.Canceled {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		})
	}
}

// waitFor reads out until the record with text arrives, checking that
// sequence numbers only grow, and tells whether early came before it.
func waitFor(t *testing.T, ctx context.Context, out <-chan Record, text, early string) (
	Record, bool) {
	t.Helper()
	var last uint64
	sawEarly := false
	for {
		select {
		case rec := <-out:
			if last != 0 && rec.Seq <= last {
				t.Fatalf("seq %d after %d", rec.Seq, last)
			}
			last = rec.Seq
			sawEarly = sawEarly || rec.Text == early
			if rec.Text == text {
				return rec, sawEarly
			}
		case <-ctx.Done():
			t.Fatalf("record %q not delivered", text)
		}
	}
}

func TestReaderOpenError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("runs as root: /dev/kmsg opens; needs an unprivileged user")
	}
	if _, err := os.Open("/dev/kmsg"); err == nil {
		t.Skip("/dev/kmsg is readable by this user")
	}
	err := NewReader(WithLogger(quietLog())).Run(context.Background(), make(chan Record))
	if err == nil || !strings.Contains(err.Error(), "open /dev/kmsg") {
		t.Errorf("Run = %v, want an open error", err)
	}
}
