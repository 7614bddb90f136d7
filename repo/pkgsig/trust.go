package pkgsig

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"aim/deb/rootfs"
	"aim/repo/pgp"
)

// roles lists the roles in the order results show them.
var roles = []Role{Store, Developer}

// TrustedDir is where, under a root, the keys trusted to sign packages
// live: one subdirectory per role ("developer", "store") of keyring files
// (".asc" or ".gpg"), each key trusted itself and as a CA for the role.
const TrustedDir = rootfs.PackageTrustDir

// Trust holds the keys trusted per role. A nil *Trust, or a role without
// keys, trusts nothing.
type Trust struct {
	keys map[Role]*pgp.Keyring
}

// NewTrust returns a Trust from keyrings per role.
func NewTrust(keys map[Role]*pgp.Keyring) *Trust {
	t := &Trust{keys: map[Role]*pgp.Keyring{}}
	for r, kr := range keys {
		t.keys[r] = kr
	}
	return t
}

// LoadTrust reads TrustedDir under root. A missing role directory trusts
// no key for that role; an unreadable key file is an error naming it.
func LoadTrust(root string) (*Trust, error) {
	return LoadTrustDir(rootfs.Root(root).PackageTrustDir())
}

// LoadTrustDir is LoadTrust for the trusted.d directory dir itself.
func LoadTrustDir(dir string) (*Trust, error) {
	t := &Trust{keys: map[Role]*pgp.Keyring{}}
	for _, role := range roles {
		d := filepath.Join(dir, string(role))
		files, err := pgp.KeyringFiles(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		kr, err := pgp.LoadKeyring(files...)
		if err != nil {
			return nil, fmt.Errorf("trusted %s keys: %w", role, err)
		}
		t.keys[role] = kr
	}
	return t, nil
}

// Keys returns the keys trusted for role; nil when none.
func (t *Trust) Keys(role Role) *pgp.Keyring {
	if t == nil {
		return nil
	}
	return t.keys[role]
}

// keysFor returns the keys whose signatures count for role: the trusted
// keys, and the keys of embedded that a trusted key certifies at now. via
// maps each of the latter to the fingerprint of a CA that certified it.
func (t *Trust) keysFor(role Role, embedded *pgp.Keyring, now time.Time) (*pgp.Keyring, map[string]string) {
	trusted := t.Keys(role)
	via := map[string]string{}
	if trusted.Len() == 0 || embedded.Len() == 0 {
		return trusted, via
	}
	certified := embedded.Select(func(k pgp.Key) bool {
		if trusted.Has(k.Fingerprint) {
			return false
		}
		cas := embedded.Certifiers(k.Fingerprint, trusted, now)
		if len(cas) == 0 {
			return false
		}
		via[k.Fingerprint] = cas[0]
		return true
	})
	keys, err := trusted.Merge(certified)
	if err != nil {
		return trusted, map[string]string{}
	}
	return keys, via
}

// Policy is what a package installed through the service must carry:
// aim.conf's "package-trust".
type Policy string

// The policies.
const (
	// RequireStore needs a valid store signature (the default).
	RequireStore Policy = "store"
	// RequireDeveloper needs a valid developer or store signature:
	// development mode.
	RequireDeveloper Policy = "developer"
	// RequireNone checks nothing.
	RequireNone Policy = "none"
)

// ConfigKey is the aim.conf key that sets the policy.
const ConfigKey = "package-trust"

// ParsePolicy reads a policy name.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(strings.ToLower(strings.TrimSpace(s))); p {
	case RequireStore, RequireDeveloper, RequireNone:
		return p, nil
	}
	return "", fmt.Errorf("%s = %q: want store, developer or none", ConfigKey, s)
}

// PolicyFrom reads the value of aim.conf's package-trust, which the
// caller read. explicit is false when the setting is empty (not set), and
// the policy is then RequireStore: "aim install FILE.deb" on the command
// line checks signatures only when explicit, since the user chose that
// file.
func PolicyFrom(setting string) (p Policy, explicit bool, err error) {
	if strings.TrimSpace(setting) == "" {
		return RequireStore, false, nil
	}
	if p, err = ParsePolicy(setting); err != nil {
		return "", false, err
	}
	return p, true, nil
}

// PolicyError reports a package that does not meet the policy. Result
// says what its signatures are.
type PolicyError struct {
	Policy Policy
	Result *Result
}

// Error says what was needed and what was found.
func (e *PolicyError) Error() string {
	need := "a valid store signature"
	if e.Policy == RequireDeveloper {
		need = "a valid developer or store signature"
	}
	return fmt.Sprintf("package-trust = %s needs %s: %s", e.Policy, need, e.Result.Summary())
}

// Check returns nil when a package whose signatures are res meets p, else
// a *PolicyError. RequireNone accepts anything, a nil res included.
func (p Policy) Check(res *Result) error {
	if p == RequireNone {
		return nil
	}
	if res == nil {
		res = &Result{}
	}
	if res.Valid(Store) || p == RequireDeveloper && res.Valid(Developer) {
		return nil
	}
	return &PolicyError{Policy: p, Result: res}
}
