package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"aim/repo/objstore"
	"aim/repo/publish"
)

// uploadTarget is where --to sends a published repository, with how to
// reach it.
type uploadTarget struct {
	target objstore.Target
	store  *objstore.S3
}

// openUploadTarget reads --to, --endpoint, --region and --path-style
// (over the AWS_* variables); nil when --to is not given.
func openUploadTarget(f repoFlags) (*uploadTarget, error) {
	to := f.str("to")
	if to == "" {
		return nil, nil
	}
	t, err := objstore.ParseTarget(to)
	if err != nil {
		return nil, err
	}
	cfg := objstore.ConfigFromEnv(nil)
	if v := f.str("endpoint"); v != "" {
		cfg.Endpoint = v
	}
	if v := f.str("region"); v != "" {
		cfg.Region = v
	}
	cfg.PathStyle = f.bool("path-style")
	s, err := objstore.NewS3(t, cfg, nil)
	if err != nil {
		return nil, err
	}
	return &uploadTarget{target: t, store: s}, nil
}

// upload syncs the repository's published tree to the target, remembering
// what it uploaded in the repository's state directory.
func (u *uploadTarget) upload(e *env, r *publish.Repo) (*objstore.Result, error) {
	state := filepath.Join(r.Dir, publish.StateDir, publish.UploadsDir, url.PathEscape(u.target.String())+".json")
	res, err := objstore.Sync(context.Background(), r.Dir, u.store, objstore.Options{StateFile: state})
	if err != nil {
		return res, fmt.Errorf("upload to %s: %w", u.target, err)
	}
	return res, nil
}

// printUpload says what an upload did.
func printUpload(e *env, u *uploadTarget, res *objstore.Result) {
	if e.g.quiet || res == nil {
		return
	}
	fmt.Fprintf(e.stdout, "%s: %d uploaded, %d unchanged, %d deleted, %d waiting to age out\n",
		u.target, len(res.Uploaded), res.Unchanged, len(res.Deleted), len(res.Waiting))
}
