// Package merge turns eBPF events and kernel-log facts into one OomInstance
// per kill.
//
// It owns the correlation (by the pid the kernel printed, within a bounded
// wait), the rules for which source wins each field, and the OomInstance
// type with its JSON form. It does not read the kernel, the log or the
// clock of the machine: callers feed it and give it the time.
package merge
