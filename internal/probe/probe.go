package probe

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	log "github.com/sirupsen/logrus"
)

// Options configure Open.
type Options struct {
	// Variant forces one variant; 0 picks the best the kernel allows.
	Variant Variant
	// MemoryV1 is true when the memory controller is on a cgroup v1
	// hierarchy, where the memory+swap counter can refuse a charge too.
	MemoryV1 bool
	// CgroupRoot is where the memory controller's hierarchy is mounted; it
	// resolves cgroup ids whose path was too deep for the kernel side.
	CgroupRoot string
}

// Probe is a loaded and attached kernel side.
type Probe struct {
	variant  Variant
	coll     *ebpf.Collection
	links    []link.Link
	ring     *ringbuf.Reader
	paths    *pathCache
	sigkills bool
}

var programNames = map[Variant]string{
	VariantBTF:   "on_mark_victim_btf",
	VariantKfunc: "on_mark_victim_kfunc",
	VariantPid:   "on_mark_victim_pid",
}

// ErrPermission is returned (wrapped) when the kernel refuses for lack of
// privilege.
var ErrPermission = errors.New("the kernel refused to load eBPF: grant CAP_BPF and " +
	"CAP_PERFMON (or CAP_SYS_ADMIN), and CAP_SYS_RESOURCE before Linux 5.11")

// Open loads the best (or the requested) variant and attaches it. The caller
// must Close the Probe.
func Open(opts Options) (*Probe, error) {
	ensureTracefs()
	if err := rlimit.RemoveMemlock(); err != nil {
		log.WithError(err).Debug("remove memlock rlimit")
	}
	kernel, err := btf.LoadKernelSpec()
	if err != nil {
		log.WithError(err).Warn("kernel BTF not readable; only the pid variant can be tried")
		kernel = nil
	}
	candidates := supportedVariants(kernel)
	if opts.Variant != 0 {
		candidates = []Variant{opts.Variant}
	}

	var errs []error
	for _, v := range candidates {
		p, err := open(v, opts)
		if err == nil {
			// The kernel's BTF (tens of MiB, parsed and mapped) is needed
			// only to load: let it go rather than carry it for the
			// daemon's life.
			kernel = nil
			runtime.GC()
			debug.FreeOSMemory()
			return p, nil
		}
		if errors.Is(err, os.ErrPermission) {
			log.WithError(err).Debug("eBPF load refused")
			return nil, ErrPermission
		}
		log.WithError(err).WithField("variant", v).Warn("probe variant failed; trying the next")
		errs = append(errs, fmt.Errorf("%s: %w", v, err))
	}
	return nil, fmt.Errorf("%w: %w", errNoVariant, errors.Join(errs...))
}

func open(v Variant, opts Options) (_ *Probe, err error) {
	spec, err := loadOomtrace()
	if err != nil {
		return nil, fmt.Errorf("load object: %w", err)
	}
	if opts.MemoryV1 {
		if err := spec.Variables["memsw_limits"].Set(uint32(1)); err != nil {
			return nil, fmt.Errorf("set memsw_limits: %w", err)
		}
	}
	name := programNames[v]
	for prog := range spec.Programs {
		if prog != name && prog != "on_signal_generate" {
			delete(spec.Programs, prog)
		}
	}

	p := &Probe{variant: v, paths: newPathCache(opts.CgroupRoot)}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			log.Debugf("verifier log for %s:\n%+v", name, ve)
		}
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	p.coll = coll

	p.attachSignal()
	if err := p.attachMarkVictim(); err != nil {
		return nil, err
	}
	p.ring, err = ringbuf.NewReader(coll.Maps["events"])
	if err != nil {
		return nil, fmt.Errorf("open ring buffer: %w", err)
	}
	return p, nil
}

// attachSignal watches SIGKILLs so that the "already exiting" shortcut can
// be told from a kill. Without it every event counts as a kill, and a Warn
// says so.
func (p *Probe) attachSignal() {
	l, err := link.Tracepoint("signal", "signal_generate",
		p.coll.Programs["on_signal_generate"], nil)
	if err == nil {
		err = p.coll.Variables["sigkill_watched"].Set(uint32(1))
		p.links = append(p.links, l)
	}
	if err != nil {
		log.WithError(err).Warn("signal/signal_generate not watched: " +
			"a victim that was already exiting will be reported as a kill")
		return
	}
	p.sigkills = true
}

func (p *Probe) attachMarkVictim() error {
	var (
		prog = p.coll.Programs[programNames[p.variant]]
		l    link.Link
		err  error
	)
	if p.variant == VariantBTF {
		l, err = link.AttachTracing(link.TracingOptions{
			Program:    prog,
			AttachType: ebpf.AttachTraceRawTp,
		})
	} else {
		l, err = link.Tracepoint("oom", "mark_victim", prog, nil)
	}
	if err != nil {
		return fmt.Errorf("attach mark_victim (%s): %w", p.variant, err)
	}
	p.links = append(p.links, l)
	return nil
}

// Variant is the variant that was loaded.
func (p *Probe) Variant() Variant { return p.variant }

// WatchesKills tells whether events say reliably if the victim was killed.
func (p *Probe) WatchesKills() bool { return p.sigkills }

// Close detaches and unloads. Read returns an error after Close.
func (p *Probe) Close() error {
	var errs []error
	if p.ring != nil {
		errs = append(errs, p.ring.Close())
	}
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	if p.coll != nil {
		p.coll.Close()
	}
	return errors.Join(errs...)
}

// Counters are the kernel side's own counts.
type Counters struct {
	// Events is how many mark_victim hits the program handled.
	Events uint64
	// RingbufFull is how many events were lost because the ring buffer
	// was full.
	RingbufFull uint64
}

// Counters sums the per-CPU counters.
func (p *Probe) Counters() (Counters, error) {
	read := func(idx uint32) (uint64, error) {
		var perCPU []uint64
		if err := p.coll.Maps["counters"].Lookup(idx, &perCPU); err != nil {
			return 0, fmt.Errorf("read counter %d: %w", idx, err)
		}
		var sum uint64
		for _, n := range perCPU {
			sum += n
		}
		return sum, nil
	}
	var c Counters
	var err error
	if c.Events, err = read(0); err != nil {
		return c, err
	}
	c.RingbufFull, err = read(1)
	return c, err
}
