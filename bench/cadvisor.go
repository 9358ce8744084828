package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"time"
	"unsafe"

	"github.com/euank/go-kmsg-parser/kmsgparser"
	"github.com/google/cadvisor/utils/oomparser"
	"k8s.io/klog/v2"
)

// cAdvisor's oomparser opens /dev/kmsg itself and offers no way to hand it
// another source, so the bench builds the real objects (kmsgparser's
// parser, oomparser.OomParser) and swaps their unexported source fields with
// reflect. Everything that parses is cAdvisor's and kmsgparser's own code.

// fakeKmsg hands out one record per Read, as /dev/kmsg does, then io.EOF.
type fakeKmsg struct {
	recs [][]byte
	i    int
}

func (f *fakeKmsg) Read(p []byte) (int, error) {
	if f.i >= len(f.recs) {
		return 0, io.EOF
	}
	n := copy(p, f.recs[f.i])
	f.i++
	return n, nil
}

func (f *fakeKmsg) Seek(int64, int) (int64, error) { return 0, nil }
func (f *fakeKmsg) Close() error                   { return nil }

type quietLog struct{}

func (quietLog) Infof(string, ...any)    {}
func (quietLog) Warningf(string, ...any) {}
func (quietLog) Errorf(string, ...any)   {}

// setField sets an unexported field of the struct ptr points to.
func setField(ptr any, name string, value any) error {
	f := reflect.ValueOf(ptr).Elem().FieldByName(name)
	if !f.IsValid() {
		return fmt.Errorf("field %s not found in %T: cAdvisor's layout changed", name, ptr)
	}
	f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	if old, ok := f.Interface().(io.Closer); ok && old != nil {
		old.Close()
	}
	f.Set(reflect.ValueOf(value))
	return nil
}

// cadvisorOnRecords runs kmsgparser v2 and cAdvisor's OomParser.StreamOoms
// over recs, as the kubelet runs them over /dev/kmsg.
func cadvisorOnRecords(recs [][]byte) (*oomparser.OomParser, error) {
	kp, err := kmsgparser.NewParser() // opens /dev/kmsg: root
	if err != nil {
		return nil, fmt.Errorf("kmsgparser: %w", err)
	}
	kp.SetLogger(quietLog{})
	if err := setField(kp, "kmsgReader", kmsgparser.ReadSeekCloser(&fakeKmsg{recs: recs})); err != nil {
		return nil, err
	}
	op := &oomparser.OomParser{}
	if err := setField(op, "parser", kp); err != nil {
		return nil, err
	}
	return op, nil
}

type cadvisorRun struct {
	recordsPerSec, allocsPerRecord float64
	found, bogus                   int
}

// runCadvisorOffline times one pass of cAdvisor's parser over the corpus
// and scores its events against the truth: an event counts as found when
// its pid is a kill not matched before; other events are bogus.
func runCadvisorOffline(c *corpus) (cadvisorRun, error) {
	op, err := cadvisorOnRecords(c.records)
	if err != nil {
		return cadvisorRun{}, err
	}
	out := make(chan *oomparser.OomInstance, len(c.kills)+1024)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	done := make(chan struct{})
	go func() { op.StreamOoms(out); close(done) }()
	<-done
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	close(out)

	truth := map[int]bool{}
	for _, k := range c.kills {
		truth[k.pid] = true
	}
	var r cadvisorRun
	for inst := range out {
		if truth[inst.Pid] {
			r.found++
			delete(truth, inst.Pid)
		} else {
			r.bogus++
		}
	}
	n := float64(len(c.records))
	r.recordsPerSec = n / elapsed.Seconds()
	r.allocsPerRecord = float64(after.Mallocs-before.Mallocs) / n
	return r, nil
}

// quietKlog keeps cAdvisor's log lines (one error per ended stream) off
// the bench's output.
func quietKlog() {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	fs.Set("logtostderr", "false")
	fs.Set("stderrthreshold", "FATAL")
	klog.SetOutput(io.Discard)
}

// cadvisorLive runs cAdvisor's streaming API on the live /dev/kmsg, as the
// kubelet does, and writes each event as a JSON line with its arrival time.
func cadvisorLive() error {
	quietKlog()
	op, err := oomparser.New()
	if err != nil {
		return fmt.Errorf("cadvisor oomparser: %w", err)
	}
	out := make(chan *oomparser.OomInstance, 1024)
	go op.StreamOoms(out)
	fmt.Fprintln(os.Stderr, "cadvisor-live running")
	enc := json.NewEncoder(os.Stdout)
	for inst := range out {
		err := enc.Encode(map[string]any{
			"pid": inst.Pid, "comm": inst.ProcessName,
			"victim_cgroup": inst.ContainerName, "oom_cgroup": inst.VictimContainerName,
			"arrival_ns": time.Now().UnixNano(),
		})
		if errors.Is(err, os.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}
