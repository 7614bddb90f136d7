package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// proc is one process as /proc/PID/stat shows it.
type proc struct {
	pid, ppid int
	comm      string
	zombie    bool
}

// procs reads every process of the machine from /proc.
func procs() map[int]proc {
	out := map[int]proc{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and ')'.
		open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || end < open {
			continue
		}
		f := bytes.Fields(b[end+1:])
		if len(f) < 2 {
			continue
		}
		pid, _ := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
		ppid, _ := strconv.Atoi(string(f[1]))
		out[pid] = proc{pid: pid, ppid: ppid, comm: string(b[open+1 : end]), zombie: f[0][0] == 'Z'}
	}
	return out
}

// descendants returns the live processes below pid (not pid itself).
func descendants(pid int) []proc {
	all := procs()
	children := map[int][]proc{}
	for _, p := range all {
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []proc
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children[queue[0]] {
			if !c.zombie {
				out = append(out, c)
			}
			queue = append(queue, c.pid)
		}
		queue = queue[1:]
	}
	return out
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	end := bytes.LastIndexByte(b, ')')
	return end >= 0 && len(b) > end+2 && b[end+2] != 'Z'
}

// waitGone waits up to limit for every process of ps to end and reports
// whether they all did.
func waitGone(ps []proc, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for _, p := range ps {
		for alive(p.pid) {
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return true
}

// killTree kills pid and every process below it, as a crash would take
// the maintainer scripts down with aim (they run in sessions of their
// own, so no signal to aim's group reaches them). The tree is stopped
// first, until no process of it is left running to start another.
func killTree(pid int) {
	syscall.Kill(pid, syscall.SIGSTOP)
	seen := map[int]bool{}
	var tree []proc
	for {
		grown := false
		for _, p := range descendants(pid) {
			if !seen[p.pid] {
				seen[p.pid], grown = true, true
				tree = append(tree, p)
				syscall.Kill(p.pid, syscall.SIGSTOP)
			}
		}
		if !grown {
			break
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for _, p := range tree {
		syscall.Kill(p.pid, syscall.SIGKILL)
	}
	waitGone(tree, 10*time.Second)
}
