package kmsg

import (
	"io"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// fakeKmsg hands out raw records one per read, then EAGAIN.
func fakeKmsg(records ...string) func([]byte) (int, error) {
	return func(b []byte) (int, error) {
		if len(records) == 0 {
			return 0, unix.EAGAIN
		}
		r := records[0]
		records = records[1:]
		if r == "EPIPE" {
			return 0, unix.EPIPE
		}
		return copy(b, r), nil
	}
}

func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func TestCalibrator(t *testing.T) {
	// The library's boot time, off by a fraction of a second.
	libBoot := time.Now().Add(-time.Hour - 400*time.Millisecond)
	libTime := func(usec int64) time.Time {
		return libBoot.Add(time.Duration(usec) * time.Microsecond)
	}

	tests := []struct {
		name    string
		own     []string
		firstAt uint64
		exact   bool
	}{
		{"same first record", []string{"6,10,3600123456,-;a\n", "6,11,3600123999,-;b\n"},
			10, true},
		{"own descriptor behind", []string{"6,8,3600000000,-;x\n", "6,9,3600000001,-;y\n",
			"6,10,3600123456,-;a\n"}, 10, true},
		{"overrun on own descriptor", []string{"EPIPE", "6,10,3600123456,-;a\n"}, 10, true},
		{"own descriptor ahead, matches later", []string{"6,11,3600123999,-;b\n"}, 10, true},
		{"nothing to read", nil, 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &calibrator{log: quietLog(), read: fakeKmsg(tt.own...),
				buf: make([]byte, 4096), estimate: libBoot}
			c.sinceBoot(10, libTime(3600123456))
			got := c.sinceBoot(11, libTime(3600123999))
			if c.calibrated != tt.exact {
				t.Fatalf("calibrated = %v, want %v", c.calibrated, tt.exact)
			}
			if want := 3600123999 * time.Microsecond; got != want {
				t.Errorf("sinceBoot = %v, want %v", got, want)
			}
		})
	}
}

func TestCalibratorGivesUp(t *testing.T) {
	c := &calibrator{log: quietLog(), read: fakeKmsg(), buf: make([]byte, 64),
		closeRead: func() {}}
	for i := range maxCalibrationTries {
		c.sinceBoot(uint64(i), time.Now())
	}
	if c.read != nil || c.calibrated {
		t.Errorf("calibrator still trying after %d misses", maxCalibrationTries)
	}
}
