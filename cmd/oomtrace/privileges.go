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

// checkPrivileges fails early, with what to grant, when the process lacks
// what the chosen sources need. Root passes.
func checkPrivileges(useEBPF, useKmsg bool) error {
	if os.Geteuid() == 0 {
		return nil
	}
	eff, err := effectiveCaps()
	if err != nil {
		return fmt.Errorf("%w: not root and capabilities unreadable (%v); "+
			"run as root", errPrivileges, err)
	}
	has := func(c uint) bool { return eff&(1<<c) != 0 }
	var missing []string
	if useEBPF && !has(capSysAdmin) && !(has(capBPF) && has(capPerfmon)) {
		missing = append(missing, "CAP_BPF", "CAP_PERFMON")
	}
	if useKmsg && !has(capSysAdmin) && !has(capSyslog) {
		missing = append(missing, "CAP_SYSLOG")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: run as root, or grant %s", errPrivileges,
		strings.Join(missing, ", "))
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
