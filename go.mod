module github.com/oomtrace/oomtrace

go 1.26.8

require (
	github.com/cilium/ebpf v0.22.0
	github.com/containerd/cgroups/v3 v3.1.3
	github.com/euank/go-kmsg-parser/v3 v3.0.0
	github.com/sirupsen/logrus v1.10.2
	golang.org/x/sys v0.43.0
)

require github.com/moby/sys/userns v0.1.0 // indirect

tool github.com/cilium/ebpf/cmd/bpf2go
