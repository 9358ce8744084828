package probe

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"

	log "github.com/sirupsen/logrus"
)

// procRoot is where /proc is mounted; tests point it elsewhere.
var procRoot = "/proc"

// fillFromProc completes an event of the pid variant from /proc/<tid>.
// The victim is being killed, so this races with its exit: whatever is gone
// stays unknown, and the kernel log can still supply it.
func fillFromProc(e *Event) {
	dir := procRoot + "/" + strconv.Itoa(e.Tid)
	// The cgroup first: an exiting task releases its mm (status loses its
	// Vm lines) before it leaves its cgroup for the root, so a status that
	// still shows memory vouches for the cgroup read before it.
	cgroups, cgErr := os.ReadFile(dir + "/cgroup")
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		log.WithError(err).WithField("tid", e.Tid).Debug("victim gone before /proc was read")
		return
	}
	comm, _ := os.ReadFile(dir + "/comm")
	e.Comm = strings.TrimSuffix(string(comm), "\n")
	if adj, err := os.ReadFile(dir + "/oom_score_adj"); err == nil {
		e.OomScoreAdj, _ = strconv.Atoi(strings.TrimSpace(string(adj)))
	}
	parseStatus(e, status)
	e.HasTask = e.Tgid != 0
	if e.HasMM && cgErr == nil {
		e.VictimCgroup = memoryCgroup(string(cgroups))
	}
	if e.OomFound && !within(e.VictimCgroup, e.OomCgroup) {
		// A memcg OOM kills only inside the cgroup that hit its limit.
		e.VictimCgroup = ""
	}
}

// parseStatus takes tgid, uid and the memory figures (the same mm counters
// the kernel log prints) from /proc/PID/status. HasMM stays false for a
// task that has released its mm.
func parseStatus(e *Event, status []byte) {
	kib := map[string]*uint64{
		"VmSize": &e.TotalVMKiB, "RssAnon": &e.AnonRSSKiB, "RssFile": &e.FileRSSKiB,
		"RssShmem": &e.ShmemRSSKiB, "VmPTE": &e.PgtablesKiB,
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseUint(fields[0], 10, 64)
		switch key {
		case "Tgid":
			e.Tgid = int(n)
		case "Uid":
			e.UID = uint32(n)
		default:
			if dst, ok := kib[key]; ok {
				*dst = n
				e.HasMM = true
			}
		}
	}
}

// within tells whether cgroup path p is root or below it.
func within(p, root string) bool {
	if p == "" {
		return false
	}
	return root == "/" || p == root || strings.HasPrefix(p, strings.TrimSuffix(root, "/")+"/")
}

// memoryCgroup picks the memory controller's path from /proc/PID/cgroup:
// the v1 line naming "memory", else the v2 line ("0::/path").
func memoryCgroup(content string) string {
	var unified string
	for line := range strings.Lines(content) {
		parts := strings.SplitN(strings.TrimSuffix(line, "\n"), ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" {
				return parts[2]
			}
		}
		if parts[0] == "0" && parts[1] == "" {
			unified = parts[2]
		}
	}
	return unified
}
