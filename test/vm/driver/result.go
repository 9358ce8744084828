package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// resultMarker starts the console line that carries one scenario's result.
const resultMarker = "OOMTRACE-RESULT "

// doneMarker says the driver got through every scenario.
const doneMarker = "OOMTRACE-DONE"

// result is one scenario on one kernel. Kills is the kernel's count,
// Records oomtrace's lines.
type result struct {
	Kernel   string   `json:"kernel"`
	Cgroup   string   `json:"cgroup"`
	Scenario string   `json:"scenario"`
	Status   string   `json:"status"` // PASS, FAIL or SKIP
	Kills    int      `json:"kills"`
	Records  int      `json:"records"`
	Variant  string   `json:"variant,omitempty"`
	Detail   []string `json:"detail,omitempty"`
}

// verdict gathers what a scenario found wrong and what is worth knowing.
type verdict struct {
	errs  []string
	notes []string
}

func (v *verdict) errorf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

func (v *verdict) notef(format string, args ...any) {
	v.notes = append(v.notes, fmt.Sprintf(format, args...))
}

// finish fills r's status and detail; at most 20 errors are kept.
func (v *verdict) finish(r result) result {
	r.Status = "PASS"
	if len(v.errs) > 0 {
		r.Status = "FAIL"
	}
	errs := v.errs
	if len(errs) > 20 {
		errs = append(errs[:20:20], fmt.Sprintf("... %d more", len(v.errs)-20))
	}
	r.Detail = append(errs, v.notes...)
	return r
}

func emit(r result) {
	b, _ := json.Marshal(r)
	fmt.Fprintf(os.Stdout, "%s%s\n", resultMarker, b)
}
