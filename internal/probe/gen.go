package probe

// The committed oomtrace_bpfel.{go,o} come from this line; `make generate`
// runs it with Debian's clang and libbpf headers. Flags are pinned so that
// the same sources give the same object.
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target bpfel -type event oomtrace ../../bpf/oomtrace.c -- -I/usr/include/x86_64-linux-gnu
