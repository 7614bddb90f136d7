package main

import (
	"fmt"
	"time"

	"aim/install"

	"aim/repo/pkgsig"
)

// checkLocalTrust refuses local archives whose signatures do not meet
// aim.conf's package-trust. It checks only when aim.conf sets
// package-trust explicitly: a user at the terminal chose the file, so
// without a stated policy any local archive is accepted (issue "Trust for
// installs"). The refusal names the role the policy needs and the
// signatures found, with their signers' fingerprints.
func checkLocalTrust(e *env, locals []install.LocalArchive) error {
	if len(locals) == 0 {
		return nil
	}
	cfg, err := settings(e)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	pol, explicit, err := pkgsig.PolicyFrom(cfg.PackageTrust)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if !explicit || pol == pkgsig.RequireNone {
		return nil
	}
	trust, err := pkgsig.LoadTrust(e.g.root)
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	now := time.Now()
	for _, l := range locals {
		res, err := pkgsig.VerifyFile(l.Path, trust, now)
		if err != nil {
			return fmt.Errorf("install: %w", err)
		}
		if err := pol.Check(res); err != nil {
			return fmt.Errorf("install: %s refused: %w", l.Path, err)
		}
	}
	return nil
}
