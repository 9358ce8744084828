package merge

import (
	"encoding/json"
	"time"
)

// OomInstance is one OOM kill. It keeps the fields of cAdvisor's
// OomInstance with the meaning that type actually has, and adds the rest.
// Pointer fields are nil (JSON null) where no source knew the value.
type OomInstance struct {
	// ID is stable for a kill: "<boot id>/<kmsg seq>" when the kernel log
	// reported it, else "<boot id>/e<ns since boot>" from the eBPF event.
	// Consumers can deduplicate on it. Empty where the boot is unknown.
	ID string `json:"id,omitempty"`
	// Pid is the victim's process (thread-group id). When only the kernel
	// log named the victim it is the printed pid, which can be a thread.
	Pid int `json:"pid"`
	// Tid is the victim task the kernel marked (task->pid, what the kernel
	// log prints as "Killed process N").
	Tid int `json:"tid"`
	// ProcessName is the victim's comm (at most 15 bytes, any bytes).
	ProcessName string `json:"process_name"`
	// TimeOfDeath is when the kernel marked the victim (eBPF) or printed
	// its "Killed process" line (kernel log).
	TimeOfDeath time.Time `json:"-"`
	// ContainerName is the victim's own memory cgroup (the summary's
	// task_memcg=), as the kernel prints cgroup paths. cAdvisor's name is
	// kept; the JSON key says what it is.
	ContainerName string `json:"victim_cgroup"`
	// VictimContainerName is the cgroup whose limit was hit, the OOM domain
	// (the summary's oom_memcg=, "/" for a global OOM). Despite cAdvisor's
	// name it need not contain the victim's own cgroup as a leaf.
	VictimContainerName string `json:"oom_cgroup"`
	// Constraint is the kernel's name (CONSTRAINT_NONE, CONSTRAINT_CPUSET,
	// CONSTRAINT_MEMORY_POLICY, CONSTRAINT_MEMCG); empty when unknowable.
	Constraint string `json:"constraint"`
	// SystemOOM is true for a global OOM: what the kubelet calls SystemOOM.
	SystemOOM bool `json:"system_oom"`

	// TriggerPid is the process that invoked the OOM killer (eBPF only);
	// TriggerTid its thread, which the kernel log names too.
	TriggerPid         *int   `json:"trigger_pid"`
	TriggerTid         *int   `json:"trigger_tid"`
	TriggerProcessName string `json:"trigger_process_name"`

	UID         *uint32 `json:"uid"`
	OomScoreAdj *int    `json:"oom_score_adj"`
	TotalVMKiB  *uint64 `json:"total_vm_kb"`
	AnonRSSKiB  *uint64 `json:"anon_rss_kb"`
	FileRSSKiB  *uint64 `json:"file_rss_kb"`
	ShmemRSSKiB *uint64 `json:"shmem_rss_kb"`
	PgtablesKiB *uint64 `json:"pgtables_kb"`

	// GFPMask and Order come from the report's start line, when printed.
	GFPMask string `json:"gfp_mask,omitempty"`
	Order   *int   `json:"order,omitempty"`

	// Kernel ids (kernfs ids, the directories' inode numbers) of the two
	// cgroups, when eBPF saw them.
	VictimCgroupID uint64 `json:"victim_cgroup_id,omitempty"`
	OomCgroupID    uint64 `json:"oom_cgroup_id,omitempty"`
	// KmsgSeq is the sequence number of the "Killed process" record.
	KmsgSeq *uint64 `json:"kmsg_seq,omitempty"`
	// SinceBootS is the "Killed process" line's kernel timestamp in seconds
	// since boot, to the microsecond, where a saved log stated it (oomtrace
	// parse only). When the log stated no absolute time, TimeOfDeath is
	// zero and "time" is null.
	SinceBootS *float64 `json:"since_boot_s,omitempty"`
	// Input and InputLine name the saved log (as given, "-" for stdin) and
	// the 1-based line of the "Killed process" line in it (oomtrace parse
	// only): an order for records without a kernel sequence number.
	Input     string `json:"input,omitempty"`
	InputLine int    `json:"input_line,omitempty"`
	// ProbeVariant names the eBPF program variant that saw the kill.
	ProbeVariant string `json:"probe_variant,omitempty"`
	// Sources lists what reported the kill: "ebpf", "kmsg" or both.
	Sources []string `json:"sources"`
	// Replayed marks a kill read back from the kernel's ring buffer at
	// start: it happened while oomtrace was not running.
	Replayed bool `json:"replayed,omitempty"`
}

// timeLayout is RFC 3339 with all nine fraction digits, for sorting as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

type plainInstance OomInstance

type jsonInstance struct {
	Time string `json:"time"`
	plainInstance
}

// unknownTimeInstance writes "time" as null.
type unknownTimeInstance struct {
	Time *string `json:"time"`
	plainInstance
}

// MarshalJSON writes "time" first, in UTC with nanoseconds; null when
// TimeOfDeath is zero (a saved log that stated no absolute time).
func (o OomInstance) MarshalJSON() ([]byte, error) {
	if o.TimeOfDeath.IsZero() {
		return json.Marshal(unknownTimeInstance{plainInstance: plainInstance(o)})
	}
	return json.Marshal(jsonInstance{
		Time:          o.TimeOfDeath.UTC().Format(timeLayout),
		plainInstance: plainInstance(o),
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *OomInstance) UnmarshalJSON(b []byte) error {
	var j jsonInstance
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*o = OomInstance(j.plainInstance)
	if j.Time == "" {
		return nil // null: no absolute time known
	}
	t, err := time.Parse(time.RFC3339Nano, j.Time)
	if err != nil {
		return err
	}
	o.TimeOfDeath = t
	return nil
}
