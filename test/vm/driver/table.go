package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// columns are the scenarios in table order.
var columns = []string{"probe", "burst", "cross", "oom.group", "global", "kmsg",
	"tp_btf", "tracepoint+kfunc", "tracepoint+pid"}

// printTable reads the VMs' console logs and prints one row per VM, then
// the detail of every failure. It fails when a scenario failed or a VM did
// not finish.
func printTable(logs []string) int {
	failed := false
	var details []string
	fmt.Printf("| kernel | cgroup | %s |\n", strings.Join(columns, " | "))
	fmt.Printf("|%s\n", strings.Repeat("---|", len(columns)+2))
	for _, path := range logs {
		results, done, err := readResults(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
			continue
		}
		cells := map[string]string{}
		var kernel, cgroup string
		for _, r := range results {
			kernel, cgroup = r.Kernel, r.Cgroup
			cells[r.Scenario] = cell(r)
			if r.Status == "FAIL" {
				failed = true
				details = append(details, fmt.Sprintf("%s %s %s:\n  %s", r.Kernel, r.Cgroup,
					r.Scenario, strings.Join(r.Detail, "\n  ")))
			}
		}
		if !done {
			failed = true
			details = append(details, fmt.Sprintf("%s: the VM did not finish (see the log)", path))
			if kernel == "" {
				kernel = path
			}
		}
		row := []string{kernel, cgroup}
		for _, c := range columns {
			if s, ok := cells[c]; ok {
				row = append(row, s)
			} else {
				row = append(row, "-")
			}
		}
		fmt.Printf("| %s |\n", strings.Join(row, " | "))
	}
	for _, d := range details {
		fmt.Println(d)
	}
	if failed {
		return 1
	}
	return 0
}

func cell(r result) string {
	switch {
	case r.Scenario == "probe":
		return fmt.Sprintf("%s %s", r.Status, r.Variant)
	case r.Status == "SKIP":
		return "SKIP"
	}
	return fmt.Sprintf("%s %d/%d", r.Status, r.Records, r.Kills)
}

func readResults(path string) (out []result, done bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.Contains(line, doneMarker) {
			done = true
		}
		_, payload, ok := strings.Cut(line, resultMarker)
		if !ok {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(payload), &r); err != nil {
			return nil, false, fmt.Errorf("%s: bad result line: %v", path, err)
		}
		out = append(out, r)
	}
	return out, done, sc.Err()
}
