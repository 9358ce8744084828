// Package probe loads oomtrace's eBPF program, attaches it to the
// oom/mark_victim tracepoint and decodes its events.
//
// It owns the choice of program variant (from the kernel's BTF), the ring
// buffer, the kernel-side counters and the translation of a victim's task into
// an Event, including /proc reads where the kernel side could only give a pid.
// It knows nothing of the kernel log or of how events are merged and written.
//
// Requires Linux 5.8 or later (BPF ring buffer, bpf_ktime_get_boot_ns),
// root or CAP_BPF with CAP_PERFMON, and tracefs or debugfs for the classic
// tracepoints.
package probe
