package kmsg

import "strings"

// Lines of kernels before 5.0/5.1: the memory cgroup line and the kill
// decision.

const (
	taskInPrefix = "Task in "
	limitMarker  = " killed as a result of limit of "
	// maxTaskIn bounds the reassembled memory cgroup line.
	maxTaskIn = 4096
)

// taskIn reassembles "Task in <victim cgroup> killed as a result of limit
// of <OOM cgroup>" (before 5.0). The kernel prints it in four pieces
// (pr_info plus pr_cont), so a reader can get it as one record or as
// fragments, each starting either with '/' (a path) or with the marker.
type taskIn struct {
	buf         string
	pending     bool
	victim, oom string
	hasCgroups  bool
	wantsMarker bool
}

// start begins a new line from a record starting with "Task in ".
func (l *taskIn) start(t string) {
	*l = taskIn{buf: t, pending: true}
	l.settle()
}

// fragment offers a record to a pending line and reports whether it was
// taken: a path when a path is due, the marker when the marker is due.
func (l *taskIn) fragment(t string) bool {
	if !l.pending || len(l.buf)+len(t) > maxTaskIn {
		return false
	}
	switch {
	case strings.HasPrefix(t, "/") && !l.wantsMarker:
	case strings.HasPrefix(t, limitMarker) && l.wantsMarker:
	default:
		return false
	}
	l.buf += t
	l.settle()
	return true
}

// settle works out what the buffer still lacks and, once complete, splits
// it. The OOM cgroup is an ancestor of (or equal to) the victim's, which
// picks the cut if a cgroup name holds the marker itself.
func (l *taskIn) settle() {
	body := l.buf[len(taskInPrefix):]
	first := strings.Index(body, limitMarker)
	switch {
	case body == "":
		l.wantsMarker = false
		return
	case first < 0:
		l.wantsMarker = true
		return
	case first+len(limitMarker) == len(body):
		l.wantsMarker = false
		return
	}

	l.pending = false
	l.hasCgroups = true
	l.victim, l.oom = body[:first], body[first+len(limitMarker):]
	for from := first + 1; from < len(body); {
		i := strings.Index(body[from:], limitMarker)
		if i < 0 {
			return
		}
		i += from
		if isAncestorOrSelf(body[i+len(limitMarker):], body[:i]) {
			l.victim, l.oom = body[:i], body[i+len(limitMarker):]
			return
		}
		from = i + 1
	}
}

// decision is "<prefix>: Kill process N (comm) score S or sacrifice child",
// printed for every kill (not rate-limited) before 5.1. The killed task can
// be a child of the one named here.
type decision struct {
	prefix string
	pid    int
	comm   string
}

const decisionMarker = ": Kill process "

func parseDecision(t string) (decision, bool) {
	var d decision
	i := strings.Index(t, decisionMarker)
	if i <= 0 {
		return d, false
	}
	d.prefix = t[:i]
	pid, rest, ok := leadingUint(t[i+len(decisionMarker):], pidMax)
	if !ok || pid == 0 {
		return d, false
	}
	d.pid = int(pid)
	if rest, ok = strings.CutPrefix(rest, " ("); !ok {
		return d, false
	}
	end := strings.LastIndex(rest, ") score ")
	if end < 0 {
		return d, false
	}
	d.comm = rest[:end]
	_, rest, ok = leadingUint(rest[end+len(") score "):], 1<<63)
	return d, ok && rest == " or sacrifice child"
}
