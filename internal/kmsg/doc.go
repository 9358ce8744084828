// Package kmsg reads the kernel log from /dev/kmsg and turns the lines of
// OOM-killer reports into Kill values, one per "Killed process" line.
//
// It owns the raw record format, the escaping of non-printable bytes and
// the wording of every OOM line from 2.6.32 to 6.x. It knows nothing of
// eBPF or of how its kills are merged with other sources.
package kmsg
