package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"aim/deb/rootfs"
	"aim/repo"
	"aim/repo/pgp"
)

// aim key add FILE-or-URL [--source NAME]
// aim key list
// aim key remove FPR
//
// What an end user trusts: keys in etc/aim/trusted.gpg.d/ sign for every
// source, keys in etc/aim/keyrings/NAME.asc only for the source whose
// signed-by names that file. Package pgp reads, checks and stores the
// keys; this file fetches them and says which directory under the root
// they go to.

// keyFetchTimeout bounds the download of a key by "key add URL".
const keyFetchTimeout = 30 * time.Second

// keyJSON is one key in --json output.
type keyJSON struct {
	Fingerprint string     `json:"fingerprint"`
	KeyID       string     `json:"keyId"`
	Algorithm   string     `json:"algorithm"`
	Created     time.Time  `json:"created"`
	Expires     *time.Time `json:"expires"`
	Expired     bool       `json:"expired"`
	Revoked     bool       `json:"revoked"`
	UserIDs     []string   `json:"userIds"`
	File        string     `json:"file"`
	Source      string     `json:"source,omitempty"`
}

// newKeyJSON describes k, found in file (as shown under the root).
func newKeyJSON(k pgp.Key, file string, now time.Time) keyJSON {
	j := keyJSON{
		Fingerprint: k.Fingerprint, KeyID: k.KeyID, Algorithm: k.Algorithm, Created: k.Created.UTC(),
		Expired: k.Expired(now), Revoked: k.Revoked, UserIDs: append([]string{}, k.UserIDs...), File: file,
		Source: keySource(file),
	}
	if !k.Expires.IsZero() {
		exp := k.Expires.UTC()
		j.Expires = &exp
	}
	return j
}

// keySource names the source a key file is for, "" for every source.
func keySource(file string) string {
	if path.Dir(file) != "/"+rootfs.KeyringsDir {
		return ""
	}
	return strings.TrimSuffix(path.Base(file), path.Ext(file))
}

// ---- add ----

func setupKeyAdd(fs *pflag.FlagSet) func(*env, []string) error {
	source := fs.String("source", "", "trust the key only for the source `NAME` (add)")
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usageError("usage: aim key add FILE|URL [--source NAME]")
		}
		return runKeyAdd(e, args[0], *source)
	}
}

func runKeyAdd(e *env, from, source string) error {
	if source != "" {
		if err := checkKeySourceName(source); err != nil {
			return err
		}
	}
	data, err := readKeyInput(e, from)
	if err != nil {
		return err
	}
	kr, err := pgp.ParseKeyring(data)
	if errors.Is(err, pgp.ErrSecretKey) {
		return fmt.Errorf("%s: %w: add the public key only (gpg --export --armor)", from, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	for _, skipped := range kr.Skipped() {
		fmt.Fprintf(e.stderr, "aim: warning: %s: %v\n", from, skipped)
	}
	kr, err = usableKeys(e, kr, time.Now())
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	added, err := installKeys(e.g.root, kr, source)
	if err != nil {
		return err
	}
	return printKeysAdded(e, added)
}

// sourceNameRE matches the names sources may have.
// It is compiled on first use, not at start-up.
var sourceNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) })

// checkKeySourceName accepts the names sources have: letters, digits,
// "_", "-" and ".", starting with a letter or digit.
func checkKeySourceName(name string) error {
	if len(name) > 100 || !sourceNameRE().MatchString(name) {
		return usageError("invalid source name %q: use letters, digits, \"_\", \"-\" and \".\"", name)
	}
	return nil
}

// readKeyInput reads a key file, or fetches an http(s) URL.
func readKeyInput(e *env, from string) ([]byte, error) {
	if !strings.HasPrefix(from, "http://") && !strings.HasPrefix(from, "https://") {
		return readKeyFile(from)
	}
	if strings.HasPrefix(from, "http://") {
		fmt.Fprintf(e.stderr, "aim: warning: %s is not https: compare the fingerprint with the one its publisher gives\n", from)
	}
	return fetchKey(from)
}

// readKeyFile reads a local key file of bounded size.
func readKeyFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readKeyBody(name, f)
}

// readKeyBody reads at most pgp.MaxKeyringSize bytes of key data.
func readKeyBody(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, pgp.MaxKeyringSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > pgp.MaxKeyringSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, pgp.MaxKeyringSize)
	}
	return data, nil
}

// fetchKey downloads a key over http(s), with a timeout and a size limit.
func fetchKey(url string) ([]byte, error) {
	client := &http.Client{Timeout: keyFetchTimeout, CheckRedirect: repo.RefuseDowngrade}
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("fetch key: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch key %s: %s", url, resp.Status)
	}
	return readKeyBody(url, resp.Body)
}

// usableKeys keeps the keys that can sign now. A key that is revoked,
// expired, or without a valid signing (sub)key is left out with a
// warning, or is the error when no key is left.
func usableKeys(e *env, kr *pgp.Keyring, now time.Time) (*pgp.Keyring, error) {
	var reasons []string
	usable := kr.Select(func(k pgp.Key) bool {
		why := unusableReason(k, now)
		if why != "" {
			reasons = append(reasons, why)
		}
		return why == ""
	})
	if usable.Len() == 0 {
		return nil, fmt.Errorf("refusing %s", strings.Join(reasons, "; "))
	}
	for _, why := range reasons {
		fmt.Fprintf(e.stderr, "aim: warning: not adding %s\n", why)
	}
	return usable, nil
}

// unusableReason says why k cannot be trusted to sign, or returns "".
func unusableReason(k pgp.Key, now time.Time) string {
	name := fmt.Sprintf("key %s %s", k.Fingerprint, firstUserID(k))
	switch {
	case k.Revoked:
		return name + ": it is revoked"
	case k.Expired(now):
		return fmt.Sprintf("%s: it expired on %s", name, k.Expires.UTC().Format(time.DateOnly))
	case !k.CanSign(now):
		return name + ": it has no valid key for signing"
	}
	return ""
}

// firstUserID quotes a key's primary user ID.
func firstUserID(k pgp.Key) string {
	if len(k.UserIDs) == 0 {
		return "(no user ID)"
	}
	return fmt.Sprintf("%q", k.UserIDs[0])
}

// addedKey is a key "key add" installed.
type addedKey struct {
	key       pgp.Key
	file      string // as shown under the root
	unchanged bool   // the file already held exactly this
}

// installKeys writes each key to trusted.gpg.d/FPR.asc, or all of them
// into the source's keyring file keyrings/NAME.asc (NAME.gpg when only
// that exists: the file a source's signed-by names), merged with the
// keys already there.
func installKeys(root string, kr *pgp.Keyring, source string) ([]addedKey, error) {
	dir := rootfs.TrustedKeysDir
	var stored []pgp.StoredKey
	var err error
	if source != "" {
		dir = rootfs.KeyringsDir
		stored, err = pgp.MergeIntoKeyringFile(rootfs.Root(root).Path(dir), source, kr)
	} else {
		stored, err = pgp.AddKeysToDir(rootfs.Root(root).Path(dir), kr)
	}
	if err != nil {
		return nil, err
	}
	var added []addedKey
	for _, s := range stored {
		added = append(added, addedKey{s.Key, "/" + path.Join(dir, s.Name), s.Unchanged})
	}
	return added, nil
}

// fileExists reports whether name exists (as anything).
func fileExists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}

// printKeysAdded shows each key's fingerprint, so the user can check it.
func printKeysAdded(e *env, added []addedKey) error {
	now := time.Now()
	if e.g.json {
		var out []keyJSON
		for _, a := range added {
			out = append(out, newKeyJSON(a.key, a.file, now))
		}
		return writeJSON(e.stdout, map[string]any{"added": out})
	}
	if e.g.quiet {
		return nil
	}
	for _, a := range added {
		verb := "added"
		if a.unchanged {
			verb = "already trusted:"
		}
		fmt.Fprintf(e.stdout, "%s key %s %s %s in %s\n", verb, a.key.Fingerprint, a.key.Algorithm, firstUserID(a.key), a.file)
	}
	if src := keySource(added[0].file); src != "" {
		fmt.Fprintf(e.stdout, "trusted for source %s only, when its signed-by names %s\n", src, added[0].file)
	}
	return nil
}

// ---- list ----

// keyFile is one keyring file of the trusted directories with its keys.
type keyFile struct {
	rel string // relative to the root, slash-separated
	kr  *pgp.Keyring
}

// trustedKeyFiles reads every keyring file of trusted.gpg.d and keyrings
// under root. A file that cannot be read is reported on stderr and left
// out; a missing directory holds no files.
func trustedKeyFiles(e *env) ([]keyFile, error) {
	var files []keyFile
	for _, dir := range []string{rootfs.TrustedKeysDir, rootfs.KeyringsDir} {
		names, err := pgp.KeyringFiles(rootfs.Root(e.g.root).Path(dir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			kr, err := pgp.LoadKeyring(name)
			if err != nil {
				fmt.Fprintf(e.stderr, "aim: warning: %v\n", err)
				continue
			}
			files = append(files, keyFile{path.Join(dir, filepath.Base(name)), kr})
		}
	}
	return files, nil
}

func setupKeyList(*pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) != 0 {
			return usageError("usage: aim key list")
		}
		files, err := trustedKeyFiles(e)
		if err != nil {
			return err
		}
		if e.g.json {
			return printKeyListJSON(e.stdout, files, time.Now())
		}
		printKeyTable(e.stdout, files, time.Now())
		return nil
	}
}

func printKeyListJSON(w io.Writer, files []keyFile, now time.Time) error {
	keys := []keyJSON{}
	for _, f := range files {
		for _, k := range f.kr.Keys() {
			keys = append(keys, newKeyJSON(k, "/"+f.rel, now))
		}
	}
	return writeJSON(w, map[string]any{"keys": keys})
}

func printKeyTable(w io.Writer, files []keyFile, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "FINGERPRINT\tALGORITHM\tEXPIRES\tUSER ID\tFILE")
	for _, f := range files {
		for _, k := range f.kr.Keys() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t/%s\n", k.Fingerprint, k.Algorithm, expiryText(k, now), firstUserID(k), f.rel)
		}
	}
	tw.Flush()
}

// expiryText shows when a key expires, or that it is no longer valid.
func expiryText(k pgp.Key, now time.Time) string {
	switch {
	case k.Revoked:
		return "revoked"
	case k.Expires.IsZero():
		return "never"
	case k.Expired(now):
		return "expired " + k.Expires.UTC().Format(time.DateOnly)
	}
	return k.Expires.UTC().Format(time.DateOnly)
}

// ---- remove ----

func setupKeyRemove(*pflag.FlagSet) func(*env, []string) error {
	return func(e *env, args []string) error {
		if len(args) != 1 {
			return usageError("usage: aim key remove FINGERPRINT|KEYID")
		}
		return runKeyRemove(e, args[0])
	}
}

// hexID is a fingerprint (40 hex digits) or key ID (16), any case, with
// spaces or a "0x" prefix.
var hexID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9A-F]{40}|[0-9A-F]{16})$`) })

func runKeyRemove(e *env, arg string) error {
	id := strings.ToUpper(strings.TrimPrefix(strings.ReplaceAll(arg, " ", ""), "0x"))
	if !hexID().MatchString(id) {
		return usageError("key remove: give the full fingerprint (40 hex digits) or the key ID (its last 16), not %q", arg)
	}
	files, err := trustedKeyFiles(e)
	if err != nil {
		return err
	}
	fpr, err := resolveKey(files, id)
	if err != nil {
		return err
	}
	var changes []keyRemoval
	for _, f := range files {
		if !f.kr.Has(fpr) {
			continue
		}
		c, err := removeKeyFrom(e.g.root, f, fpr)
		if err != nil {
			return err
		}
		changes = append(changes, c)
	}
	return printKeyRemoved(e, fpr, changes)
}

// resolveKey finds the one trusted key whose fingerprint or key ID, or a
// subkey's, is id, and returns its primary fingerprint.
func resolveKey(files []keyFile, id string) (string, error) {
	var keys []pgp.Key
	for _, f := range files {
		keys = append(keys, f.kr.Keys()...)
	}
	return matchKey(keys, id)
}

// matchKey returns the primary fingerprint of the one key of keys that id
// names; a key listed twice (in two files) counts once.
func matchKey(keys []pgp.Key, id string) (string, error) {
	var fprs []string
	for _, k := range keys {
		if keyMatches(k, id) && !slices.Contains(fprs, k.Fingerprint) {
			fprs = append(fprs, k.Fingerprint)
		}
	}
	switch len(fprs) {
	case 0:
		return "", fmt.Errorf("no trusted key %s", id)
	case 1:
		return fprs[0], nil
	}
	return "", fmt.Errorf("%s is ambiguous: it names the keys %s; give the full fingerprint", id, strings.Join(fprs, ", "))
}

// keyMatches reports whether id is the fingerprint or key ID of k or of
// one of its subkeys.
func keyMatches(k pgp.Key, id string) bool {
	if id == k.Fingerprint || id == k.KeyID {
		return true
	}
	for _, s := range k.Subkeys {
		if id == s.Fingerprint || id == s.KeyID {
			return true
		}
	}
	return false
}

// keyRemoval is a keyring file "key remove" changed.
type keyRemoval struct {
	File    string `json:"file"`    // as shown under the root
	Deleted bool   `json:"deleted"` // no key was left, so the file was removed
}

// removeKeyFrom rewrites a keyring file without the key fpr, or deletes
// it when no key is left.
func removeKeyFrom(root string, f keyFile, fpr string) (keyRemoval, error) {
	deleted, err := pgp.RemoveKeyFromFile(rootfs.Root(root).Path(f.rel), f.kr, fpr)
	return keyRemoval{File: "/" + f.rel, Deleted: deleted}, err
}

func printKeyRemoved(e *env, fpr string, changes []keyRemoval) error {
	if e.g.json {
		return writeJSON(e.stdout, map[string]any{"removed": fpr, "files": changes})
	}
	if e.g.quiet {
		return nil
	}
	for _, c := range changes {
		if c.Deleted {
			fmt.Fprintf(e.stdout, "removed key %s: deleted %s\n", fpr, c.File)
		} else {
			fmt.Fprintf(e.stdout, "removed key %s from %s\n", fpr, c.File)
		}
	}
	return nil
}
