// Package offline turns saved kernel logs into kmsg Records: raw /dev/kmsg
// records, dmesg output in its usual forms, journalctl -k output and syslog
// kern.log files, detected line by line so that one file may mix them.
//
// It owns the line formats, their clocks (time since boot, local or zoned
// wall time, years that a format leaves out) and the choice of which lines
// are the kernel's. It knows nothing of eBPF, of merging or of output.
package offline
