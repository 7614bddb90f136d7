package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"aim/repo/pgp"
	"aim/repo/pkgsig"
)

// aim deb sign --role developer|store --key KEY.secret.asc
//              [--public-key KEY.asc] [--passphrase-file F] FILE.deb...
//
// Signs packages in place (package pkgsig): the store role writes the
// member _gpgorigin, the developer role _gpgmaint, and the signer's
// public key travels in the package with its CA certifications. Those
// come from --public-key, or from KEY.asc beside KEY.secret.asc when it
// holds the same key (where "aim key certify --out" puts them), else
// from the secret key file itself.

func setupDebSign(fs *pflag.FlagSet) func(*env, []string) error {
	role := fs.String("role", "", "signing `ROLE`: developer or store (sign)")
	key := fs.String("key", "", "the secret key `FILE` to sign with (sign)")
	pub := fs.String("public-key", "", "the signer's public key `FILE` with its CA certifications, to embed (sign)")
	passFile := fs.String("passphrase-file", "", "read the secret key's passphrase from the first line of `FILE` (sign; else $"+pgp.PassphraseEnv+")")
	return func(e *env, args []string) error {
		if len(args) == 0 || *role == "" || *key == "" {
			return usageError("usage: aim deb sign --role developer|store --key KEY.secret.asc FILE.deb...")
		}
		r, err := pkgsig.ParseRole(*role)
		if err != nil {
			return usageError("deb sign: %v", err)
		}
		s, err := loadSigner(*key, *passFile)
		if err != nil {
			return err
		}
		embed, err := embeddedKey(e, s, *key, *pub)
		if err != nil {
			return err
		}
		return runDebSign(e, s, r, embed, args)
	}
}

// embeddedKey returns the public key to embed for s: the file pub, or the
// public key file beside the secret one when it holds s's key, or nil
// (s's own public half).
func embeddedKey(e *env, s *pgp.Signer, secretFile, pub string) (*pgp.Keyring, error) {
	explicit := pub != ""
	if !explicit {
		base, ok := strings.CutSuffix(secretFile, ".secret.asc")
		if !ok || !fileExists(base+".asc") {
			return nil, nil
		}
		pub = base + ".asc"
	}
	kr, err := readPublicKeys(pub)
	if err != nil {
		return nil, err
	}
	if !kr.Has(s.Fingerprint()) {
		if explicit {
			return nil, fmt.Errorf("%s does not hold the signing key %s", pub, s.Fingerprint())
		}
		fmt.Fprintf(e.stderr, "aim: warning: %s holds another key; embedding the secret key's public half\n", pub)
		return nil, nil
	}
	return kr.Select(func(k pgp.Key) bool { return k.Fingerprint == s.Fingerprint() }), nil
}

func runDebSign(e *env, s *pgp.Signer, role pkgsig.Role, embed *pgp.Keyring, files []string) error {
	now := time.Now()
	type signed struct {
		File   string `json:"file"`
		Role   string `json:"role"`
		Member string `json:"member"`
		Signer string `json:"signer"`
	}
	var out []signed
	for _, f := range files {
		if err := pkgsig.SignFile(f, s, role, embed, now); err != nil {
			return err
		}
		out = append(out, signed{f, string(role), role.Member(), s.Fingerprint()})
		if !e.g.json && !e.g.quiet {
			fmt.Fprintf(e.stdout, "signed %s: %s signature (%s) by %s\n", f, role, role.Member(), s.Fingerprint())
		}
	}
	if e.g.json {
		return writeJSON(e.stdout, map[string]any{"signed": out})
	}
	return nil
}
