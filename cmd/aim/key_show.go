package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"aim/repo/pgp"
)

// aim key show FILE [--json]
//
// Describes each key of a public or secret key file: fingerprint,
// algorithm, creation and expiry, user IDs, subkeys, and the third-party
// certifications it carries (as found, not checked: "aim deb verify"
// checks them against the trusted CA keys).

// keyShowJSON is one key in "key show --json" output.
type keyShowJSON struct {
	keyJSON
	Subkeys        []subkeyJSON        `json:"subkeys"`
	Certifications []certificationJSON `json:"certifications"`
}

// subkeyJSON is one subkey in "key show --json" output.
type subkeyJSON struct {
	Fingerprint string     `json:"fingerprint"`
	Algorithm   string     `json:"algorithm"`
	Created     time.Time  `json:"created"`
	Expires     *time.Time `json:"expires"`
	Sign        bool       `json:"sign"`
	Revoked     bool       `json:"revoked"`
}

// certificationJSON is one third-party certification.
type certificationJSON struct {
	UserID     string    `json:"userId"`
	Issuer     string    `json:"issuer"`
	Created    time.Time `json:"created"`
	Revocation bool      `json:"revocation,omitempty"`
}

func setupKeyShow(*pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usageError("usage: aim key show KEY-FILE")
		}
		kr, err := readPublicKeys(args[0])
		if err != nil {
			return err
		}
		now := time.Now()
		if e.g.json {
			return writeJSON(e.stdout, map[string]any{"keys": keyShowList(kr, args[0], now)})
		}
		printKeyShow(e.stdout, kr, now)
		return nil
	}
}

// keyShowList describes every key of kr, read from file.
func keyShowList(kr *pgp.Keyring, file string, now time.Time) []keyShowJSON {
	out := []keyShowJSON{}
	for _, k := range kr.Keys() {
		j := keyShowJSON{keyJSON: newKeyJSON(k, file, now), Subkeys: []subkeyJSON{}, Certifications: []certificationJSON{}}
		for _, s := range k.Subkeys {
			sj := subkeyJSON{Fingerprint: s.Fingerprint, Algorithm: s.Algorithm, Created: s.Created.UTC(), Sign: s.Sign, Revoked: s.Revoked}
			if !s.Expires.IsZero() {
				exp := s.Expires.UTC()
				sj.Expires = &exp
			}
			j.Subkeys = append(j.Subkeys, sj)
		}
		for _, c := range kr.Certifications(k.Fingerprint) {
			j.Certifications = append(j.Certifications, certificationJSON{c.UserID, c.Issuer, c.Created.UTC(), c.Revocation})
		}
		out = append(out, j)
	}
	return out
}

// printKeyShow prints each key of kr in a gpg-like layout.
func printKeyShow(w io.Writer, kr *pgp.Keyring, now time.Time) {
	for i, k := range kr.Keys() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "fingerprint: %s\n", k.Fingerprint)
		fmt.Fprintf(w, "algorithm:   %s\n", k.Algorithm)
		fmt.Fprintf(w, "created:     %s\n", k.Created.UTC().Format(time.DateOnly))
		fmt.Fprintf(w, "expires:     %s\n", expiryText(k, now))
		fmt.Fprintf(w, "can sign:    %s\n", yesNo(k.CanSign(now)))
		for _, uid := range k.UserIDs {
			fmt.Fprintf(w, "user ID:     %s\n", uid)
		}
		for _, s := range k.Subkeys {
			use := "encrypt"
			if s.Sign {
				use = "sign"
			}
			fmt.Fprintf(w, "subkey:      %s %s %s\n", s.Fingerprint, s.Algorithm, use)
		}
		for _, c := range kr.Certifications(k.Fingerprint) {
			what := "certified by"
			if c.Revocation {
				what = "certification revoked by"
			}
			fmt.Fprintf(w, "%s %s on %s (%s)\n", what, c.Issuer, c.Created.UTC().Format(time.DateOnly), c.UserID)
		}
	}
}
