package kmsg

import "strings"

// summary is the one-line summary that kernels 5.0 and later print after
// the report header, behind the same rate limit:
//
//	oom-kill:constraint=C,nodemask=N,cpuset=S,mems_allowed=M,
//	    oom_memcg=P,task_memcg=Q,task=COMM,pid=N,uid=N
//
// A global OOM prints ",global_oom" in place of ",oom_memcg=P". Without
// CONFIG_CPUSETS the cpuset and mems_allowed fields are missing, without
// CONFIG_MEMCG the cgroup fields. Kernels 5.0-5.2 printed CONSTRAINT_NONE
// for memory cgroup OOMs.
type summary struct {
	constraint string
	global     bool
	// cgroups is the text from the first cgroup field up to ",pid=", for
	// example ",oom_memcg=/a,task_memcg=/a/b,task=comm". It is split only
	// when the victim's comm is known (see cgroupsFor).
	cgroups string
	pid     int
	uid     uint32
}

// parseSummary anchors pid= and uid= at the end of the line, and the fixed
// fields (constraint, nodemask, mems_allowed) from the start, so that
// neither a comm nor a cgroup name can shift them.
func parseSummary(t string) (summary, bool) {
	var s summary
	rest, ok := strings.CutPrefix(t, "oom-kill:constraint=")
	if !ok {
		return s, false
	}
	s.constraint, rest, ok = strings.Cut(rest, ",")
	if !ok || !isConstantName(s.constraint) {
		return s, false
	}
	if rest, ok = strings.CutPrefix(rest, "nodemask="); !ok {
		return s, false
	}
	rest = skipNodeList(rest)
	if strings.HasPrefix(rest, ",cpuset=") {
		if rest, ok = skipCpuset(rest); !ok {
			return s, false
		}
	}

	u := strings.LastIndex(t, ",uid=")
	if u < 0 {
		return s, false
	}
	uid, ok := wholeUint(t[u+len(",uid="):], 1<<32-1)
	if !ok {
		return s, false
	}
	p := strings.LastIndex(t[:u], ",pid=")
	if p < 0 {
		return s, false
	}
	pid, ok := wholeUint(t[p+len(",pid="):u], pidMax)
	if !ok || pid == 0 {
		return s, false
	}
	s.pid, s.uid = int(pid), uint32(uid)

	start := len(t) - len(rest)
	if start > p {
		return s, false
	}
	s.cgroups = t[start:p]
	s.global = strings.HasPrefix(s.cgroups, ",global_oom")
	if !s.global && !strings.HasPrefix(s.cgroups, ",oom_memcg=") &&
		!strings.HasPrefix(s.cgroups, ",task=") {
		return s, false
	}
	return s, strings.Contains(s.cgroups, ",task=")
}

// isConstantName reports whether s looks like CONSTRAINT_MEMCG.
func isConstantName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return s != ""
}

// skipNodeList skips a node list as printed by %*pbl ("0", "0-3,8") or
// "(null)" for no node mask.
func skipNodeList(s string) string {
	if rest, ok := strings.CutPrefix(s, "(null)"); ok {
		return rest
	}
	for {
		_, rest, ok := leadingUint(s, 1<<20)
		if !ok {
			return s
		}
		if len(rest) > 1 && rest[0] == '-' && isDigit(rest[1]) {
			_, rest, _ = leadingUint(rest[1:], 1<<20)
		}
		s = rest
		if len(s) < 2 || s[0] != ',' || !isDigit(s[1]) {
			return s
		}
		s = s[1:]
	}
}

// skipCpuset skips ",cpuset=NAME,mems_allowed=LIST". NAME is a cgroup name
// and may hold anything, so each ",mems_allowed=" is tried until one is
// followed by a node list and a known next field.
func skipCpuset(s string) (string, bool) {
	const key = ",mems_allowed="
	for from := 0; ; {
		i := strings.Index(s[from:], key)
		if i < 0 {
			return s, false
		}
		from += i + len(key)
		rest := skipNodeList(s[from:])
		if strings.HasPrefix(rest, ",oom_memcg=") || strings.HasPrefix(rest, ",global_oom") ||
			strings.HasPrefix(rest, ",task=") {
			return rest, true
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// cgroupsFor splits the cgroup fields once the victim's comm is known from
// its "Killed process" line, which makes the ",task=" cut exact. Without it
// the last ",task=" is taken. oom_memcg is an ancestor of (or equal to)
// task_memcg, which picks the cut when a cgroup name holds ",task_memcg=".
func (s summary) cgroupsFor(comm string, commKnown bool) (oomCgroup, victimCgroup string) {
	body := s.cgroups
	if cut, ok := strings.CutSuffix(body, comm); commKnown && ok &&
		strings.HasSuffix(cut, ",task=") {
		body = cut[:len(cut)-len(",task=")]
	} else if i := strings.LastIndex(body, ",task="); i >= 0 {
		body = body[:i]
	}

	const victimKey = ",task_memcg="
	if rest, ok := strings.CutPrefix(body, ",global_oom"); ok {
		victim, _ := strings.CutPrefix(rest, victimKey)
		return "/", victim
	}
	rest, ok := strings.CutPrefix(body, ",oom_memcg=")
	if !ok {
		return "", ""
	}
	first := -1
	for from := 0; ; {
		i := strings.Index(rest[from:], victimKey)
		if i < 0 {
			break
		}
		i += from
		if first < 0 {
			first = i
		}
		if isAncestorOrSelf(rest[:i], rest[i+len(victimKey):]) {
			return rest[:i], rest[i+len(victimKey):]
		}
		from = i + 1
	}
	if first < 0 {
		return rest, ""
	}
	return rest[:first], rest[first+len(victimKey):]
}

// isAncestorOrSelf reports whether cgroup path a is b or one of b's parents.
func isAncestorOrSelf(a, b string) bool {
	if a == b || a == "/" {
		return true
	}
	return len(b) > len(a) && b[:len(a)] == a && b[len(a)] == '/'
}
