package probe

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/cilium/ebpf/ringbuf"
)

// Event is one oom/mark_victim hit. The victim's fields are valid when
// HasTask is true, the memory figures when HasMM is true.
type Event struct {
	// SinceBoot is CLOCK_BOOTTIME at the hit (counts suspend).
	SinceBoot time.Duration
	Variant   Variant

	// Tid is task->pid of the victim, the pid the kernel log prints; Tgid
	// is its process.
	Tid, Tgid   int
	Comm        string
	UID         uint32
	OomScoreAdj int
	HasTask     bool

	TotalVMKiB, AnonRSSKiB, FileRSSKiB, ShmemRSSKiB, PgtablesKiB uint64
	HasMM                                                        bool

	// VictimCgroup is the victim's memory cgroup, as the kernel prints
	// cgroup paths; VictimCgroupID its kernfs id (the directory's inode).
	VictimCgroup   string
	VictimCgroupID uint64

	// OomCgroup is the OOM domain found walking up from the trigger's
	// memory cgroup: the first at its limit; else (OomByCount) the first
	// whose own OOM count grew since the last event, for when earlier
	// victims freed memory already; else (OomNear) the first within one
	// huge page of its limit. Empty when none (OomFound false): the OOM was
	// not a memory cgroup's.
	OomCgroup   string
	OomCgroupID uint64
	OomFound    bool
	OomByCount  bool
	OomNear     bool
	// OomWalkCut: the trigger's cgroup lies deeper than the program
	// searches, so "not found" does not mean "not a memory cgroup's".
	OomWalkCut bool
	// VictimCgroupPartial and OomCgroupPartial mark a path that is
	// incomplete ("..." first): deeper than the program copies, and gone
	// before it could be looked up by id.
	VictimCgroupPartial, OomCgroupPartial bool

	// Trigger is the task that invoked the OOM killer (current).
	TriggerPid, TriggerTid int
	TriggerComm            string

	// KillKnown says Killed is meaningful; Killed is false for the
	// "already exiting" shortcut, where the kernel marks but kills nothing.
	KillKnown, Killed bool
}

const (
	flagVictimTask   = 1 << 0
	flagVictimMM     = 1 << 1
	flagOomFound     = 1 << 2
	flagOomNear      = 1 << 3
	flagKillKnown    = 1 << 4
	flagKilled       = 1 << 5
	flagOomByCount   = 1 << 6
	flagOomWalkCut   = 1 << 7
	flagOomIsVictims = 1 << 8
	pathFlagTruncate = 1 << 0
)

// ErrDrained is what Read returns once Drain was called and every event
// that was in the ring buffer has been read.
var ErrDrained = errors.New("ring buffer drained")

// Read blocks until the next event. It returns ErrDrained after Drain, and
// an error wrapping os.ErrClosed after Close.
func (p *Probe) Read() (Event, error) {
	rec, err := p.ring.Read()
	if errors.Is(err, ringbuf.ErrFlushed) {
		return Event{}, ErrDrained
	}
	if err != nil {
		return Event{}, fmt.Errorf("read ring buffer: %w", err)
	}
	return p.decode(rec.RawSample)
}

// Drain detaches the programs, so that no event follows, and makes Read
// return the events still in the ring buffer, then ErrDrained: the way to
// stop without losing what the kernel already sent. The counters stay
// readable until Close.
func (p *Probe) Drain() error {
	var errs []error
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	p.links = nil
	errs = append(errs, p.ring.Flush())
	return errors.Join(errs...)
}

var errShortSample = errors.New("short ring buffer sample")

// partialPrefix starts a cgroup path whose top part is missing.
const partialPrefix = "..."

func (p *Probe) decode(raw []byte) (Event, error) {
	var k oomtraceEvent
	if len(raw) < int(unsafe.Sizeof(k)) {
		return Event{}, fmt.Errorf("%w: %d bytes", errShortSample, len(raw))
	}
	k = *(*oomtraceEvent)(unsafe.Pointer(&raw[0]))

	e := Event{
		SinceBoot:   time.Duration(k.BootNs),
		Variant:     Variant(k.Variant),
		Tid:         int(k.Pid),
		TriggerPid:  int(k.TriggerPid),
		TriggerTid:  int(k.TriggerTid),
		TriggerComm: cString(k.TriggerComm[:]),
		KillKnown:   k.Flags&flagKillKnown != 0,
		Killed:      k.Flags&flagKilled != 0,
		OomFound:    k.Flags&flagOomFound != 0,
		OomNear:     k.Flags&flagOomNear != 0,
		OomByCount:  k.Flags&flagOomByCount != 0,
		OomWalkCut:  k.Flags&flagOomWalkCut != 0,
	}
	if e.OomFound && k.Flags&flagOomIsVictims == 0 {
		e.OomCgroupID = k.OomCgroup.Id
		e.OomCgroup = p.cgroupPath(k.OomCgroup.Id, k.OomCgroup.Depth,
			k.OomCgroup.Flags, &k.OomCgroup.Names)
		e.OomCgroupPartial = strings.HasPrefix(e.OomCgroup, partialPrefix)
	}
	if k.Flags&flagVictimTask != 0 {
		e.HasTask = true
		e.Tgid = int(k.Tgid)
		e.Comm = cString(k.Comm[:])
		e.UID = k.Uid
		e.OomScoreAdj = int(k.OomScoreAdj)
		e.VictimCgroupID = k.VictimCgroup.Id
		e.VictimCgroup = p.cgroupPath(k.VictimCgroup.Id, k.VictimCgroup.Depth,
			k.VictimCgroup.Flags, &k.VictimCgroup.Names)
		e.VictimCgroupPartial = strings.HasPrefix(e.VictimCgroup, partialPrefix)
	}
	if e.OomFound && k.Flags&flagOomIsVictims != 0 {
		// The kernel side saw the domain is the victim's own cgroup.
		e.OomCgroup, e.OomCgroupID = e.VictimCgroup, e.VictimCgroupID
		e.OomCgroupPartial = e.VictimCgroupPartial
	}
	if k.Flags&flagVictimMM != 0 {
		e.HasMM = true
		e.TotalVMKiB = k.TotalVmKib
		e.AnonRSSKiB = k.AnonRssKib
		e.FileRSSKiB = k.FileRssKib
		e.ShmemRSSKiB = k.ShmemRssKib
		e.PgtablesKiB = k.PgtablesKib
	}
	if !e.HasTask {
		fillFromProc(&e)
	}
	return e, nil
}

// cgroupPath joins the kernel side's leaf-first names into the path the
// kernel log prints ("/" for the root). A path deeper than the kernel side
// walks is looked up by id in the hierarchy instead.
func (p *Probe) cgroupPath(id uint64, depth, flags uint32, names *[10][256]int8) string {
	if flags&pathFlagTruncate != 0 {
		if path, ok := p.paths.lookup(id); ok {
			return path
		}
	}
	if depth == 0 {
		return "/"
	}
	if depth > uint32(len(names)) {
		depth = uint32(len(names))
	}
	var b []byte
	for i := int(depth) - 1; i >= 0; i-- {
		b = append(b, '/')
		b = append(b, cString(names[i][:])...)
	}
	if flags&pathFlagTruncate != 0 {
		return partialPrefix + string(b)
	}
	return string(b)
}

func cString(s []int8) string {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
