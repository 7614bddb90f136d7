package main

import (
	"bytes"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"aim/deb/rootfs"
	"aim/repo/pgp"
)

// aim key certify --ca CA.secret.asc KEY.asc [--out FILE]
//
// Adds the CA's certification to every user ID of the keys of KEY.asc and
// prints the result armored, or writes it to FILE. A device that trusts
// the CA for a role (etc/aim/trusted.d/ROLE/) then accepts packages the
// certified key signs for that role. The CA key's passphrase comes from
// --passphrase-file or $AIM_PASSPHRASE.

func setupKeyCertify(fs *pflag.FlagSet) func(*env, []string) error {
	ca := fs.String("ca", "", "the CA's secret key `FILE` (certify)")
	out := sharedString(fs, "out", "", "write to `PATH` (generate: file prefix; certify: file)")
	passFile := passphraseFileFlag(fs)
	return func(e *env, args []string) error {
		if len(args) != 1 || *ca == "" {
			return usageError("usage: aim key certify --ca CA.secret.asc KEY.asc [--out FILE]")
		}
		return runKeyCertify(e, *ca, passFile(), args[0], out())
	}
}

func runKeyCertify(e *env, caFile, passFile, keyFile, out string) error {
	ca, err := loadSigner(caFile, passFile)
	if err != nil {
		return err
	}
	kr, err := readPublicKeys(keyFile)
	if err != nil {
		return err
	}
	now := time.Now()
	certified, err := pgp.Certify(ca, kr, now)
	if err != nil {
		return fmt.Errorf("%s: %w", keyFile, err)
	}
	var buf bytes.Buffer
	if err := certified.WriteArmored(&buf); err != nil {
		return err
	}
	if out == "" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	if err := rootfs.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if !e.g.quiet && !e.g.json {
		for _, k := range certified.Keys() {
			fmt.Fprintf(e.stdout, "certified key %s %s with CA key %s in %s\n", k.Fingerprint, firstUserID(k), ca.Fingerprint(), out)
		}
	}
	if e.g.json {
		var fprs []string
		for _, k := range certified.Keys() {
			fprs = append(fprs, k.Fingerprint)
		}
		return writeJSON(e.stdout, map[string]any{"certified": fprs, "ca": ca.Fingerprint(), "file": out})
	}
	return nil
}
