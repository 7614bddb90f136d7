package installfile

// This file connects .install files to the rest of aim: the user's
// locales, the sources a catalogue is already configured as, and reading
// a .install file or a key from a path or URL.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// MaxSize bounds a .install file, and a key it names, read by
// ReadURL.
const MaxSize = 1 << 20

// FetchTimeout bounds the download of a .install file or a key.
const FetchTimeout = 30 * time.Second

// LocaleVariants returns the names a locale is looked up by, best first,
// as g_get_locale_variants does: "de_DE.UTF-8@euro" gives de_DE@euro,
// de_DE, de@euro and de. "C", "POSIX" and "" give none.
func LocaleVariants(locale string) []string {
	lang, mod, _ := strings.Cut(locale, "@")
	lang, _, _ = strings.Cut(lang, ".")
	if lang == "" || lang == "C" || lang == "POSIX" {
		return nil
	}
	ll, cc, hasCC := strings.Cut(lang, "_")
	var out []string
	add := func(s string, ok bool) {
		if ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(lang+"@"+mod, hasCC && mod != "")
	add(lang, hasCC && cc != "")
	add(ll+"@"+mod, mod != "")
	add(ll, true)
	return out
}

// UserLocales returns the locales to pick localised strings for, best
// first with their fallbacks (ll_CC then ll): the first set of LC_ALL,
// LC_MESSAGES and LANG, preceded by those of LANGUAGE (a colon list)
// unless that locale is C or POSIX, as gettext does; read through getenv
// (os.Getenv in a program).
func UserLocales(getenv func(string) string) []string {
	var names []string
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := getenv(v); l != "" {
			names = append(names, l)
			break
		}
	}
	if len(names) > 0 && LocaleVariants(names[0]) != nil {
		names = append(strings.Split(getenv("LANGUAGE"), ":"), names...)
	}
	var out []string
	for _, n := range names {
		for _, v := range LocaleVariants(n) {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// ReadURL reads a .install file, or a key, from loc: a local path,
// a file: URL, or an http or https URL fetched with FetchTimeout.
// More than MaxSize bytes is an error; so is an HTTP status
// other than 200.
func ReadURL(ctx context.Context, loc string) ([]byte, error) {
	switch {
	case strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://"):
		return fetchInstallHTTP(ctx, loc)
	case strings.HasPrefix(loc, "file:"):
		u, err := url.Parse(loc)
		if err != nil || u.Path == "" || u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("%s: not a local file URL", loc)
		}
		loc = u.Path
	case strings.Contains(loc, "://"):
		return nil, fmt.Errorf("%s: only files and http, https and file URLs can be read", loc)
	}
	f, err := os.Open(loc)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readInstallBody(loc, f)
}

func fetchInstallHTTP(ctx context.Context, loc string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", loc, err)
	}
	client := &http.Client{CheckRedirect: refuseDowngrade}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", loc, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", loc, resp.Status)
	}
	return readInstallBody(loc, resp.Body)
}

// ErrInsecureRedirect is returned (wrapped) for a redirect from https to
// http, which ReadURL refuses, as apt does.
var ErrInsecureRedirect = errors.New("redirect from https to http refused")

// refuseDowngrade follows at most 10 redirects and none from https to
// http. It is the rule of repo.RefuseDowngrade, spelled here because this
// package imports only the standard library.
func refuseDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	for _, v := range via {
		if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s to %s", ErrInsecureRedirect, via[len(via)-1].URL.Redacted(), req.URL.Redacted())
		}
	}
	return nil
}

func readInstallBody(name string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxSize)
	}
	return data, nil
}
