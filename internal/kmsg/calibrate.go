package kmsg

import (
	"errors"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// maxCalibrationTries bounds the library messages used to look for a
// record both sources saw.
const maxCalibrationTries = 16

// calibrator recovers exact record times from go-kmsg-parser messages.
// The library reports Timestamp = B + usec, where B is a boot time it took
// from sysinfo(2) in whole seconds when the parser was made. B is fixed for
// one parser, so reading one record ourselves from a second /dev/kmsg file
// descriptor (usec exact) and finding the same sequence number among the
// library's messages gives B to the nanosecond.
type calibrator struct {
	log logrus.FieldLogger
	// read returns one raw record per call, as read(2) on /dev/kmsg does;
	// nil once the descriptor is closed.
	read      func([]byte) (int, error)
	closeRead func()
	buf       []byte
	// held is a record read ahead of the library, kept for a later match.
	held    Record
	hasHeld bool

	base       time.Time
	calibrated bool
	tries      int
	// estimate replaces base when calibration fails: now minus
	// CLOCK_MONOTONIC, off from B by under a second plus any suspend time.
	estimate time.Time
}

// openCalibrator must be called before the library parser is made, with
// the same start position, so that its descriptor sees every record the
// parser will.
func openCalibrator(seekEnd bool, log logrus.FieldLogger) *calibrator {
	c := &calibrator{log: log, estimate: estimateBase()}
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		log.WithError(err).Warn("kmsg: cannot open calibration descriptor; " +
			"record times may be off by up to a second")
		return c
	}
	if seekEnd {
		if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
			log.WithError(err).Warn("kmsg: cannot seek calibration descriptor")
		}
	}
	c.read = func(b []byte) (int, error) { return unix.Read(fd, b) }
	c.closeRead = func() { unix.Close(fd) }
	c.buf = make([]byte, 16*1024)
	return c
}

// estimateBase returns now minus the time since boot on CLOCK_MONOTONIC,
// the clock closest to the kernel log's.
func estimateBase() time.Time {
	now := time.Now()
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return now
	}
	return now.Add(-time.Duration(ts.Nano()))
}

// sinceBoot converts the library's timestamp of record seq.
func (c *calibrator) sinceBoot(seq uint64, ts time.Time) time.Duration {
	if !c.calibrated && c.read != nil {
		c.match(seq, ts)
	}
	if c.calibrated {
		return ts.Sub(c.base)
	}
	return ts.Sub(c.estimate)
}

// match reads own records up to seq; on a hit it fixes the base.
func (c *calibrator) match(seq uint64, ts time.Time) {
	for {
		if !c.hasHeld && !c.readOne() {
			break
		}
		if c.held.Seq < seq {
			c.hasHeld = false
			continue
		}
		if c.held.Seq == seq {
			c.base = ts.Add(-c.held.SinceBoot)
			c.calibrated = true
			c.close()
			return
		}
		break
	}

	c.tries++
	if c.tries >= maxCalibrationTries && c.read != nil {
		c.log.Warn("kmsg: no record seen by both descriptors; " +
			"record times may be off by up to a second")
		c.close()
	}
}

// readOne reads the next record into held; false at the end of the buffer
// or on an error.
func (c *calibrator) readOne() bool {
	for {
		n, err := c.read(c.buf)
		switch {
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EPIPE):
			// EPIPE: records were overwritten; the next read returns the
			// oldest one still held.
			continue
		case err != nil || n <= 0:
			return false
		}
		rec, err := ParseRecord(c.buf[:n])
		if err != nil {
			continue
		}
		c.held, c.hasHeld = rec, true
		return true
	}
}

func (c *calibrator) close() {
	if c.closeRead != nil {
		c.closeRead()
	}
	c.read, c.closeRead, c.buf = nil, nil, nil
}
