package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"aim/deb/rootfs"
	"aim/repo/pgp"
)

// aim key generate --name N [--email E] [--comment C] --out PREFIX
//                  [--rsa] [--expire 2y] [--passphrase-file F]
//
// Writes a new signing key as PREFIX.secret.asc (mode 0600) and its
// public half as PREFIX.asc. The passphrase, when any, comes from
// --passphrase-file or $AIM_PASSPHRASE, never from the command line.

func setupKeyGenerate(fs *pflag.FlagSet) func(*env, []string) error {
	name := fs.String("name", "", "the key owner's `NAME` (generate)")
	email := fs.String("email", "", "the key owner's `EMAIL` (generate)")
	comment := fs.String("comment", "", "a user ID `COMMENT` (generate)")
	rsa := fs.Bool("rsa", false, "make an RSA 4096 key instead of Ed25519 (generate)")
	expire := fs.String("expire", "", "key lifetime: `N`d, Nw, Nm, Ny, or never (generate)")
	out := sharedString(fs, "out", "", "write to `PATH` (generate: file prefix; certify: file)")
	passFile := passphraseFileFlag(fs)
	return func(e *env, args []string) error {
		if len(args) != 0 || *name == "" || out() == "" {
			return usageError("usage: aim key generate --name NAME [--email EMAIL] --out PREFIX [--rsa] [--expire 2y] [--passphrase-file F]")
		}
		pass, err := readPassphrase(passFile())
		if err != nil {
			return err
		}
		now := time.Now()
		life, err := parseLifetime(*expire, now)
		if err != nil {
			return usageError("key generate: %v", err)
		}
		opts := pgp.KeyOptions{Name: *name, Email: *email, Comment: *comment, RSA: *rsa,
			Lifetime: life, Created: now, Passphrase: pass}
		return runKeyGenerate(e, opts, out())
	}
}

func runKeyGenerate(e *env, opts pgp.KeyOptions, prefix string) error {
	secretFile, publicFile := prefix+".secret.asc", prefix+".asc"
	for _, f := range []string{secretFile, publicFile} {
		if fileExists(f) {
			return fmt.Errorf("key generate: %s exists: not overwriting a key", f)
		}
	}
	s, secret, err := pgp.GenerateKey(opts)
	if err != nil {
		return err
	}
	var pub strings.Builder
	if err := s.PublicKey().WriteArmored(&pub); err != nil {
		return err
	}
	if err := writeNewFile(secretFile, secret, 0o600); err != nil {
		return err
	}
	if err := writeNewFile(publicFile, []byte(pub.String()), 0o644); err != nil {
		return err
	}
	k := s.PublicKey().Keys()[0]
	if e.g.json {
		j := newKeyJSON(k, publicFile, time.Now())
		return writeJSON(e.stdout, map[string]any{"generated": j, "secretKey": secretFile, "protected": len(opts.Passphrase) > 0})
	}
	if !e.g.quiet {
		fmt.Fprintf(e.stdout, "generated key %s %s %s\n", k.Fingerprint, k.Algorithm, firstUserID(k))
		fmt.Fprintf(e.stdout, "secret key: %s (keep it private)\npublic key: %s\n", secretFile, publicFile)
		if len(opts.Passphrase) == 0 {
			fmt.Fprintln(e.stderr, "aim: warning: the secret key has no passphrase")
		}
	}
	return nil
}

// parseLifetime reads --expire: "" or "never" (zero), or a count of days
// (d), weeks (w), months (m) or years (y) from now, as gpg does.
func parseLifetime(s string, now time.Time) (time.Duration, error) {
	if s == "" || s == "never" || s == "0" {
		return 0, nil
	}
	unit := s[len(s)-1]
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 100*366 {
		return 0, fmt.Errorf("bad --expire %q: want a positive count and a unit d, w, m or y", s)
	}
	var end time.Time
	switch unit {
	case 'd':
		end = now.AddDate(0, 0, n)
	case 'w':
		end = now.AddDate(0, 0, 7*n)
	case 'm':
		end = now.AddDate(0, n, 0)
	case 'y':
		end = now.AddDate(n, 0, 0)
	default:
		return 0, fmt.Errorf("bad --expire %q: unit must be d, w, m or y", s)
	}
	return end.Sub(now), nil
}

// sharedString defines a string flag that several verbs of one group
// share (they share a FlagSet), or finds it when another verb already
// did, and returns a function that reads its value.
func sharedString(fs *pflag.FlagSet, name, value, usage string) func() string {
	if fs.Lookup(name) == nil {
		fs.String(name, value, usage)
	}
	f := fs.Lookup(name)
	return func() string { return f.Value.String() }
}

// passphraseFileFlag defines --passphrase-file, shared by the verbs that
// read or write secret keys.
func passphraseFileFlag(fs *pflag.FlagSet) func() string {
	return sharedString(fs, "passphrase-file", "", "read the secret key's passphrase from the first line of `FILE` (else $"+pgp.PassphraseEnv+")")
}

// readPassphrase returns the passphrase from file, when given, else from
// $AIM_PASSPHRASE; nil when neither is set.
func readPassphrase(file string) ([]byte, error) {
	if file != "" {
		return pgp.PassphraseFromFile(file)
	}
	return pgp.PassphraseFromEnv(os.Getenv, pgp.PassphraseEnv), nil
}

// loadSigner opens a secret key file with the passphrase from
// passphraseFile or $AIM_PASSPHRASE.
func loadSigner(path, passphraseFile string) (*pgp.Signer, error) {
	pass, err := readPassphrase(passphraseFile)
	if err != nil {
		return nil, err
	}
	return pgp.LoadSigner(path, pass)
}

// writeNewFile writes data to name with mode perm through a temporary
// file in the same directory, refusing to replace an existing file.
func writeNewFile(name string, data []byte, perm fs.FileMode) error {
	tmp, err := rootfs.CreateAtomic(filepath.Dir(name))
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer tmp.Abort()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.CommitNew(name, perm)
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write %s: exists", name)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
