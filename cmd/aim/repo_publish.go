package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"aim/repo/publish"

	"github.com/spf13/pflag"
)

func setupRepoPublish(fs *pflag.FlagSet) func(*env, []string) error {
	f := newRepoFlags(fs)
	return func(e *env, args []string) error {
		const usage = "aim repo publish DIR --key KEY.secret.asc [--passphrase-file F] [--valid-for 7d] [--install-files --base-url URL] [--snapshot NAME] [--to s3://BUCKET/PREFIX [--endpoint URL] [--region R] [--path-style]]"
		if f.bool("install-files") && f.str("base-url") == "" {
			return usageError("--install-files needs --base-url URL")
		}
		r, opts, up, err := openForPublish(f, args, usage)
		if err != nil {
			return err
		}
		defer r.Close()
		if name := f.str("snapshot"); name != "" {
			if err := r.UseSnapshot(name); err != nil {
				return err
			}
		}
		results, err := r.Publish(opts)
		if err != nil {
			return err
		}
		var installs []string
		if f.bool("install-files") {
			if installs, err = r.WriteInstallFiles(f.str("base-url")); err != nil {
				return err
			}
		}
		return reportPublish(e, r, up, results, installs)
	}
}

// openForPublish opens the repository DIR, the only argument, and reads
// what publish and rollback share: the signing options (--key is
// required) and the upload target of --to.
func openForPublish(f repoFlags, args []string, usage string) (*publish.Repo, publish.Options, *uploadTarget, error) {
	var opts publish.Options
	if len(args) != 1 || f.str("key") == "" {
		return nil, opts, nil, usageError("usage: %s", usage)
	}
	opts, err := publishOptions(f)
	if err != nil {
		return nil, opts, nil, err
	}
	up, err := openUploadTarget(f)
	if err != nil {
		return nil, opts, nil, err
	}
	r, _, err := openRepoArg(args, usage)
	return r, opts, up, err
}

// publishOptions loads the signing key and reads the dates: now, or
// SOURCE_DATE_EPOCH for reproducible output.
func publishOptions(f repoFlags) (publish.Options, error) {
	var opts publish.Options
	s, err := loadSigner(f.str("key"), f.str("passphrase-file"))
	if err != nil {
		return opts, err
	}
	opts.Signer, opts.Now = s, time.Now()
	if t, err := sourceDateEpoch(); err != nil {
		return opts, err
	} else if t != nil {
		opts.Now = *t
	}
	if v := f.str("valid-for"); v != "" {
		if opts.ValidFor, err = parseValidity(v); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// parseValidity reads a duration such as "7d", "2w" or "36h".
func parseValidity(v string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(v, suffix); ok {
			if k, err := strconv.Atoi(n); err == nil && k > 0 {
				return time.Duration(k) * unit, nil
			}
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--valid-for %q: want a positive duration such as 7d, 2w or 36h", v)
	}
	return d, nil
}
