package kmsg

import "time"

// Kill is what the kernel log says about one OOM kill. It is keyed on the
// "Killed process" line, which the kernel prints for every kill and never
// rate-limits; the other fields come from the lines of the same report
// (start line, summary or legacy cgroup line, kill decision) when the kernel
// printed them. A field the log did not state keeps its zero value or, for
// numbers that can legitimately be zero, its Has* flag stays false.
type Kill struct {
	// Seq is the kmsg sequence number of the "Killed process" record.
	Seq uint64
	// SinceBoot is that record's timestamp (the kernel's local clock, which
	// stops during suspend).
	SinceBoot time.Duration
	// WallTime is the line's absolute time where a saved log stated it
	// (syslog, journal, dmesg -T); zero from the live reader, whose records
	// carry SinceBoot only. Set by the caller, never by Parser.
	WallTime time.Time

	// Pid is the pid the kernel printed: task->pid of the victim task that
	// held the mm, which can be a thread rather than the thread-group leader.
	Pid int
	// Tgid is the victim's process when whoever read the log could still
	// look it up (/proc/PID/status); 0 when unknown. The log never says.
	Tgid int
	// Comm is the victim's comm with \xNN escapes decoded.
	Comm string
	// Prefix is the text before ": Killed process", for example
	// "Memory cgroup out of memory"; empty on kernels before 5.1.
	Prefix string

	// UID of the victim, when printed (about 5.3 and later, and the old
	// enterprise formats).
	UID    uint32
	HasUID bool

	// Memory figures in KiB as printed; Has* tells which were printed.
	TotalVMKiB, AnonRSSKiB, FileRSSKiB, ShmemRSSKiB, PgtablesKiB uint64
	HasShmemRSS, HasPgtables                                     bool

	OomScoreAdj    int
	HasOomScoreAdj bool

	// Report fields. HasReport is true when a start line or summary of the
	// same OOM was seen (they are rate-limited and often missing in bursts).
	HasReport bool
	// TriggerComm is the comm of "<comm> invoked oom-killer"; TriggerPid the
	// pid of the "CPU: N ... PID: N Comm: ..." line of the same report.
	TriggerComm string
	TriggerPid  int
	GFPMask     string
	Order       int
	HasOrder    bool

	// Constraint is the kernel's name, for example CONSTRAINT_MEMCG; empty
	// when the log did not say. On 5.0-5.2 a summary naming oom_memcg is
	// reported as CONSTRAINT_MEMCG whatever the kernel printed.
	Constraint string
	// OomCgroup is the cgroup whose limit was hit (oom_memcg= or the legacy
	// "as a result of limit of" part); "/" for a global OOM; empty if unknown.
	OomCgroup string
	// VictimCgroup is the victim's memory cgroup (task_memcg= or the legacy
	// "Task in" part), set only when that line names this very victim.
	VictimCgroup string
	// GlobalOOM is true when the report said global_oom or the prefix was
	// "Out of memory" (not "Memory cgroup out of memory").
	GlobalOOM bool
}
