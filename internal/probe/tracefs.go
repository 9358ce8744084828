package probe

import (
	"os"

	log "github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// ensureTracefs mounts tracefs at /sys/kernel/tracing when neither it nor
// debugfs's tracing directory is there: the classic tracepoints are
// attached through it. Minimal systems and containers often lack it.
func ensureTracefs() {
	for _, dir := range []string{"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"} {
		if _, err := os.Stat(dir); err == nil {
			return
		}
	}
	if err := unix.Mount("nodev", "/sys/kernel/tracing", "tracefs", 0, ""); err != nil {
		log.WithError(err).Warn("tracefs is not mounted and mounting it failed; " +
			"classic tracepoints cannot be attached")
		return
	}
	log.Info("mounted tracefs at /sys/kernel/tracing")
}
