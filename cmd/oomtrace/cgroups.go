package main

import (
	"bufio"
	"os"
	"strings"

	"github.com/containerd/cgroups/v3"
)

// memoryHierarchy says where the memory controller lives: on a cgroup v1
// hierarchy of its own, or on the unified (v2) one, and where that is
// mounted. The kernel prints cgroup paths relative to that root.
type memoryHierarchy struct {
	v1    bool
	root  string
	mode  string
	found bool
}

func findMemoryHierarchy() memoryHierarchy {
	h := memoryHierarchy{mode: modeName(cgroups.Mode())}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return h
	}
	defer f.Close()
	var unified string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint opts - fstype source superopts
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if len(fields) < 5 || len(tail) < 3 {
			continue
		}
		switch tail[0] {
		case "cgroup":
			for _, opt := range strings.Split(tail[2], ",") {
				if opt == "memory" {
					return memoryHierarchy{v1: true, root: fields[4], mode: h.mode, found: true}
				}
			}
		case "cgroup2":
			if unified == "" {
				unified = fields[4]
			}
		}
	}
	if unified != "" {
		h.root, h.found = unified, true
	}
	return h
}

func modeName(m cgroups.CGMode) string {
	switch m {
	case cgroups.Legacy:
		return "v1"
	case cgroups.Hybrid:
		return "hybrid"
	case cgroups.Unified:
		return "v2"
	}
	return "unavailable"
}
