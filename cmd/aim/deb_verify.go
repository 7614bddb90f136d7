package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"aim/deb/rootfs"
	"aim/repo/pgp"
	"aim/repo/pkgsig"
)

// aim deb verify FILE.deb... [--keyring K]... [--trusted-dir DIR]
//
// Reports each signature of each package: role, signer, valid or why
// not. Keys trusted for each role come from DIR/developer/ and
// DIR/store/ (default: etc/aim/trusted.d under --root); each --keyring
// file or directory is trusted for both roles. Exit status 1 when a
// package has no valid signature.

// debSigJSON is one signature in "deb verify --json" output.
type debSigJSON struct {
	Member      string     `json:"member"`
	Role        string     `json:"role"`
	Signer      string     `json:"signer"`
	Valid       bool       `json:"valid"`
	CertifiedBy string     `json:"certifiedBy,omitempty"`
	Created     *time.Time `json:"created,omitempty"`
	Error       string     `json:"error,omitempty"`
}

// debVerifyJSON is one package in "deb verify --json" output.
type debVerifyJSON struct {
	File       string       `json:"file"`
	Valid      bool         `json:"valid"`
	Signatures []debSigJSON `json:"signatures"`
}

func setupDebVerify(fs *pflag.FlagSet) func(*env, []string) error {
	keyrings := fs.StringArray("keyring", nil, "trust the keys of `FILE` (or directory) for both roles (verify; repeatable)")
	trustedDir := fs.String("trusted-dir", "", "the `DIR` with developer/ and store/ key directories (verify; default ROOT/"+rootfs.PackageTrustDir+")")
	return func(e *env, args []string) error {
		if len(args) == 0 {
			return usageError("usage: aim deb verify FILE.deb... [--keyring FILE]... [--trusted-dir DIR]")
		}
		trust, err := debTrust(e, *keyrings, *trustedDir)
		if err != nil {
			return err
		}
		return runDebVerify(e, trust, args)
	}
}

// debTrust loads the trusted keys per role: the trusted directory's, with
// the --keyring keys added to both roles.
func debTrust(e *env, keyrings []string, dir string) (*pkgsig.Trust, error) {
	if dir == "" {
		dir = rootfs.Root(e.g.root).PackageTrustDir()
	}
	base, err := pkgsig.LoadTrustDir(dir)
	if err != nil {
		return nil, err
	}
	if len(keyrings) == 0 {
		return base, nil
	}
	extra, err := pgp.LoadKeyring(keyrings...)
	if err != nil {
		return nil, err
	}
	keys := map[pkgsig.Role]*pgp.Keyring{}
	for _, r := range []pkgsig.Role{pkgsig.Developer, pkgsig.Store} {
		if keys[r], err = base.Keys(r).Merge(extra); err != nil {
			return nil, err
		}
	}
	return pkgsig.NewTrust(keys), nil
}

func runDebVerify(e *env, trust *pkgsig.Trust, files []string) error {
	now := time.Now()
	var out []debVerifyJSON
	failed := 0
	for _, f := range files {
		res, err := pkgsig.VerifyFile(f, trust, now)
		if err != nil {
			return err
		}
		j := newDebVerifyJSON(f, res)
		if !j.Valid {
			failed++
		}
		out = append(out, j)
		if !e.g.json {
			printDebVerify(e, f, res)
		}
	}
	if e.g.json {
		if err := writeJSON(e.stdout, map[string]any{"packages": out}); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d packages have no valid signature", failed, len(files))}
	}
	return nil
}

func newDebVerifyJSON(file string, res *pkgsig.Result) debVerifyJSON {
	j := debVerifyJSON{File: file, Signatures: []debSigJSON{}}
	for _, s := range res.Signatures {
		sj := debSigJSON{Member: s.Member, Role: string(s.Role), Signer: s.Signer, Valid: s.Valid, CertifiedBy: s.CertifiedBy}
		if s.Valid {
			c := s.Created.UTC()
			sj.Created = &c
			j.Valid = true
		}
		if s.Err != nil {
			sj.Error = s.Err.Error()
		}
		j.Signatures = append(j.Signatures, sj)
	}
	return j
}

// printDebVerify prints one line per signature of a package.
func printDebVerify(e *env, file string, res *pkgsig.Result) {
	if len(res.Signatures) == 0 {
		fmt.Fprintf(e.stdout, "%s: not signed\n", file)
		return
	}
	for _, s := range res.Signatures {
		fmt.Fprintf(e.stdout, "%s: %s\n", file, s)
	}
}
