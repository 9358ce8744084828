package kmsg

import "strings"

// The report header: the start line and the first line of dump_stack().
// Both are behind the kernel's OOM report rate limit.

const startMarker = " invoked oom-killer: "

// startLine is "<comm> invoked oom-killer: gfp_mask=..., order=N, ...".
// Fields by version: gfp_mask is plain hex before about 4.5 and hex plus
// symbolic flags after; 4.9-4.20 add "nodemask=..." before order; 2.6.32
// adds "oom_adj=N"; order=-1 marks an OOM forced by sysrq.
type startLine struct {
	triggerComm string
	gfpMask     string
	order       int
	hasOrder    bool
}

// parseStart cuts at the last marker: everything after it is kernel text,
// while the comm before it is free-form.
func parseStart(t string) (startLine, bool) {
	var s startLine
	i := strings.LastIndex(t, startMarker)
	if i < 0 {
		return s, false
	}
	s.triggerComm = t[:i]

	rest, ok := strings.CutPrefix(t[i+len(startMarker):], "gfp_mask=")
	if !ok {
		return s, false
	}
	// Symbolic flags are joined by '|', so ", " only separates fields.
	s.gfpMask, rest, _ = strings.Cut(rest, ", ")
	for rest != "" {
		var field string
		field, rest, _ = strings.Cut(rest, ", ")
		if v, found := strings.CutPrefix(field, "order="); found {
			order, tail, ok := leadingInt(v, 64)
			if !ok || tail != "" {
				return s, false
			}
			s.order, s.hasOrder = int(order), true
		}
	}
	return s, s.gfpMask != ""
}

// stackLine is the first line dump_stack() prints:
//
//	CPU: 1 PID: 123 Comm: stress Not tainted 5.10.0 #1       (3.x and later)
//	CPU: 1 UID: 0 PID: 123 Comm: stress Tainted: G O 6.12.0  (about 6.10+)
//	Pid: 123, comm: stress Not tainted 2.6.32-754.el6         (2.6.x)
//
// It returns the pid and the text that starts with the comm.
func parseStackLine(t string) (pid int, fromComm string, ok bool) {
	var rest string
	if after, found := strings.CutPrefix(t, "Pid: "); found {
		n, r, ok := leadingUint(after, pidMax)
		if !ok {
			return 0, "", false
		}
		if rest, ok = strings.CutPrefix(r, ", comm: "); !ok {
			return 0, "", false
		}
		return int(n), rest, true
	}

	rest, found := strings.CutPrefix(t, "CPU: ")
	if !found {
		return 0, "", false
	}
	if _, rest, ok = leadingUint(rest, 1<<31); !ok {
		return 0, "", false
	}
	if after, found := strings.CutPrefix(rest, " UID: "); found {
		if _, rest, ok = leadingUint(after, 1<<32-1); !ok {
			return 0, "", false
		}
	}
	if rest, ok = strings.CutPrefix(rest, " PID: "); !ok {
		return 0, "", false
	}
	n, rest, ok := leadingUint(rest, pidMax)
	if !ok {
		return 0, "", false
	}
	if rest, ok = strings.CutPrefix(rest, " Comm: "); !ok {
		return 0, "", false
	}
	return int(n), rest, true
}

// commStarts reports whether s starts with comm followed by a space, as in
// the stack line's "Comm: <comm> Not tainted".
func commStarts(s, comm string) bool {
	return len(s) > len(comm) && s[:len(comm)] == comm && s[len(comm)] == ' '
}
