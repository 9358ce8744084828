package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// wallFromBoot turns a CLOCK_BOOTTIME reading into wall time with the
// offset between the two clocks as it is now, read to the nanosecond, so
// that a wall-clock step (NTP) after start is honoured.
func wallFromBoot(sinceBoot time.Duration) time.Time {
	var boot, real unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot)
	_ = unix.ClockGettime(unix.CLOCK_REALTIME, &real)
	offset := time.Duration(real.Nano() - boot.Nano())
	return time.Unix(0, 0).Add(offset + sinceBoot)
}
