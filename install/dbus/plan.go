package dbus

import (
	"encoding/json"
	"errors"
	"time"

	"aim/db"
	"aim/install"
	"aim/policy"
	"aim/resolver"
)

// This file is the service's way into the engine: every task and every
// plan() call goes through install.Open, the door the command line uses.

// open opens the root through the engine's door: for a task, for
// writing (writer lock held until Close, waiting at most 30 s, recovery
// done); for plan(), read-only.
func (s *Server) open(readOnly bool) (*install.Installer, error) {
	in, err := install.Open(s.root, install.Options{Arch: s.architecture(), Foreign: s.cfg.Foreign, ReadOnly: readOnly,
		LockWait: 30 * time.Second, ChrootlessScripts: s.cfg.ChrootlessScripts})
	if errors.Is(err, db.ErrLocked) {
		return nil, withCode(codeLocked, err)
	}
	return in, err
}

// planText is a decision's plan as the command line's --json prints it.
func planText(d *install.Decision) string {
	out := d.Outcome
	if out == nil {
		out = &policy.Outcome{Plan: &resolver.Plan{}}
	}
	b, _ := json.MarshalIndent(out.JSON(), "", "  ") // plain strings: cannot fail
	return string(b) + "\n"
}

// Plan decides request (see install.ParseRequest) and returns the plan as
// the command line's --json prints it; a refused request is an error.
func (s *Server) Plan(request string) (string, error) {
	req, err := install.ParseRequest(request)
	if err != nil {
		return "", err
	}
	in, err := s.open(true)
	if err != nil {
		return "", err
	}
	defer in.Close()
	d, err := in.Decide(req)
	if err != nil {
		return "", err
	}
	return planText(d), nil
}
