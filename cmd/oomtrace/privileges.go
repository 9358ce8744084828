package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Capability bits, from linux/capability.h.
const (
	capSysAdmin = 21
	capSyslog   = 34
	capPerfmon  = 38
	capBPF      = 39
)

var errPrivileges = errors.New("insufficient privileges")

// missingForEBPF names what the process lacks to load the probe, or
// returns nil. Root passes; capabilities that cannot be read count as
// missing.
func missingForEBPF() []string {
	if os.Geteuid() == 0 {
		return nil
	}
	eff, err := effectiveCaps()
	has := func(c uint) bool { return err == nil && eff&(1<<c) != 0 }
	if has(capSysAdmin) || (has(capBPF) && has(capPerfmon)) {
		return nil
	}
	return []string{"CAP_BPF", "CAP_PERFMON"}
}

// missingForKmsg names what the process lacks to read /dev/kmsg, found by
// trying (kernel.dmesg_restrict=0 lets anyone read it).
func missingForKmsg() []string {
	f, err := os.Open("/dev/kmsg")
	if err == nil {
		f.Close()
		return nil
	}
	return []string{"CAP_SYSLOG (to read /dev/kmsg)"}
}

func privilegeError(missing []string) error {
	return fmt.Errorf("%w: run as root, or grant %s", errPrivileges, strings.Join(missing, ", "))
}

func effectiveCaps() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff line")
}
